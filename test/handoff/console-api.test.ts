import { createHash, randomBytes } from 'node:crypto';
import { io as connect, type Socket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { Counsellor } from '../../src/core/handoff-types.js';
import type { Reply } from '../../src/core/types.js';
import { hashPassword } from '../../src/handoff/passwords.js';
import type { ChatAck } from '../../src/server/chat-gateway.js';
import { consoleApi, signedInCounsellor } from '../support/counsellors.js';
import { connectChat, nextEvent, startTestServer, type TestServer } from '../support/server.js';

const PASSWORD = 'a-long-test-password';
let passwordHash: string | undefined;

async function counsellor(
  server: TestServer,
  username: string,
  role: Counsellor['role'] = 'counsellor',
) {
  passwordHash ??= await hashPassword(PASSWORD);
  return signedInCounsellor(server.store, username, role, passwordHash);
}

const api = (server: TestServer, token?: string) => consoleApi(server.url, token);

function consoleSocket(server: TestServer, token: string): Socket {
  return connect(`${server.url}/console`, {
    auth: { token },
    transports: ['websocket'],
    forceNew: true,
  });
}

async function say(socket: Socket, text: string): Promise<ChatAck> {
  return socket.emitWithAck('message', { id: randomBytes(6).toString('hex'), text });
}

describe('counsellor handoff over real HTTP and sockets', () => {
  let server: TestServer;
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.close();
    await server?.cleanup();
  });

  it('signs in with a password, rejects a wrong one, and expires nothing it should not', async () => {
    server = await startTestServer();
    await counsellor(server, 'lan', 'admin');
    const anon = api(server);
    expect(
      (await anon('POST', '/login', { username: 'lan', password: 'wrong-password!' })).status,
    ).toBe(401);
    expect((await anon('POST', '/login', { username: 'nobody', password: PASSWORD })).status).toBe(
      401,
    );
    expect((await anon('POST', '/login', { username: 'lan' })).status).toBe(400);
    const ok = await anon('POST', '/login', { username: 'lan', password: PASSWORD });
    expect(ok.status).toBe(200);
    expect(ok.body.counsellor.passwordHash).toBeUndefined();
    const me = api(server, ok.body.token);
    expect((await me('GET', '/me')).body.counsellor.username).toBe('lan');
    expect((await me('POST', '/logout')).status).toBe(204);
    expect((await me('GET', '/me')).status).toBe(401);
  });

  it('locks a name after five wrong passwords, even against the right one, and not other names', async () => {
    server = await startTestServer();
    await counsellor(server, 'lan');
    await counsellor(server, 'mai');
    const anon = api(server);
    for (let i = 0; i < 5; i++) {
      const wrong = await anon('POST', '/login', {
        username: 'lan',
        password: `guess-${i}-wrong!`,
      });
      expect(wrong.status).toBe(401);
    }
    const locked = await anon('POST', '/login', { username: 'lan', password: PASSWORD });
    expect(locked.status).toBe(429);
    expect(locked.body.error.message).toMatch(/try again in 15 minutes/);
    expect((await anon('POST', '/login', { username: 'mai', password: PASSWORD })).status).toBe(
      200,
    );
  });

  it('puts an emergency at the top of the queue with its signals, in the same turn as the safety reply', async () => {
    server = await startTestServer();
    const lan = await counsellor(server, 'lan');
    await api(server, lan.token)('PUT', '/me/availability', { available: true });
    const live = consoleSocket(server, lan.token);
    sockets.push(live);
    await nextEvent(live, 'connect');
    const asker = connectChat(server.url, 'session-asker-00000000');
    const danger = connectChat(server.url, 'session-danger-0000000');
    sockets.push(asker, danger);
    await Promise.all([nextEvent(asker, 'history'), nextEvent(danger, 'history')]);
    await say(asker, 'cho em nói chuyện với tư vấn viên');
    const opened = nextEvent<{ ticket: { level: string } }>(live, 'ticket.opened');
    const ack = await say(danger, 'em đang bị nhốt trong phòng, bọn nó đánh em');
    expect(ack.ok && ack.replies[0]?.text).toMatch(/113/);
    expect(ack.ok && ack.replies[1]?.text).toMatch(/số 1/);
    expect((await opened).ticket.level).toBe('emergency');
    const queue = await api(server, lan.token)('GET', '/queue');
    expect(queue.body.queued.map((t: { level: string }) => t.level)).toEqual(['emergency', 'none']);
    expect(queue.body.queued[0].signals.map((s: { id: string }) => s.id)).toEqual(
      expect.arrayContaining(['confined', 'violence']),
    );
    expect(queue.body.queued[0].preview).toMatch(/bị nhốt/);
  });

  it('tells the person honestly when no counsellor is online, and keeps the ticket queued', async () => {
    server = await startTestServer();
    const lan = await counsellor(server, 'lan');
    const person = connectChat(server.url, 'session-alone-00000000');
    sockets.push(person);
    await nextEvent(person, 'history');
    const ack = await say(person, 'i want to talk to a real person');
    expect(ack.ok && ack.replies.at(-1)?.text).toMatch(/No counsellor is online.*111/s);
    expect((await api(server, lan.token)('GET', '/queue')).body.queued).toHaveLength(1);
  });

  it('gives a ticket to exactly one of 50 counsellors claiming it at once', async () => {
    server = await startTestServer();
    const person = connectChat(server.url, 'session-race-000000000');
    sockets.push(person);
    await nextEvent(person, 'history');
    await say(person, 'cho em gặp tư vấn viên');
    const team = await Promise.all(
      Array.from({ length: 50 }, (_, i) => counsellor(server, `c${i}`)),
    );
    const [ticket] = (await api(server, team[0]?.token)('GET', '/queue')).body.queued;
    const results = await Promise.all(
      team.map((c) => api(server, c.token)('POST', `/tickets/${ticket.id}/claim`)),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(49);
    const winner = team[results.findIndex((r) => r.status === 200)];
    expect((await server.store.getTicket(ticket.id))?.ownerId).toBe(winner?.id);
  });

  it('routes messages to the counsellor (not the bot) while they talk, and back to the bot after closing', async () => {
    server = await startTestServer();
    const lan = await counsellor(server, 'lan');
    const call = api(server, lan.token);
    await call('PUT', '/me/availability', { available: true });
    const live = consoleSocket(server, lan.token);
    const person = connectChat(server.url, 'session-talk-000000000');
    sockets.push(live, person);
    await Promise.all([nextEvent(live, 'connect'), nextEvent(person, 'history')]);
    await say(person, 'em muốn nói chuyện với người thật');

    const joined = nextEvent<{ replies: Reply[] }>(person, 'replies');
    const next = await call('POST', '/queue/next');
    expect(next.status).toBe(200);
    expect((await joined).replies[0]?.text).toMatch(/Cô lan/);

    const received = nextEvent<{ text: string }>(live, 'message.received');
    const quiet = await say(person, 'chủ giữ hộ chiếu của em');
    expect(quiet.ok && quiet.replies).toEqual([]);
    expect((await received).text).toBe('chủ giữ hộ chiếu của em');
    expect((await server.store.getTicket(next.body.ticket.id))?.level).toBe('urgent');

    const fromCounsellor = nextEvent<{ replies: Reply[] }>(person, 'replies');
    expect(
      (
        await call('POST', `/tickets/${next.body.ticket.id}/messages`, {
          text: 'Chào em, chị nghe đây.',
        })
      ).status,
    ).toBe(200);
    expect((await fromCounsellor).replies[0]).toMatchObject({
      text: 'Chào em, chị nghe đây.',
      title: 'Cô lan',
    });

    const goodbye = nextEvent<{ replies: Reply[] }>(person, 'replies');
    const closed = await call('POST', `/tickets/${next.body.ticket.id}/close`, {
      kind: 'counselling',
      detail: 'policy',
      notes: 'advised on passport rights',
    });
    expect(closed.status).toBe(200);
    expect((await goodbye).replies[0]?.text).toMatch(/111/);
    const bot = await say(person, 'tổng đài 111 là gì');
    expect(bot.ok && bot.replies[0]?.topicId).toBe('hotline-111');

    const audit = await server.store.listAudit({ counsellorId: lan.id });
    expect(audit.map((a) => a.action)).toContain('claim');
  });

  it('loses no ticket or message across a restart in the middle of a handoff', async () => {
    server = await startTestServer();
    const lan = await counsellor(server, 'lan');
    const person = connectChat(server.url, 'session-restart-0000000');
    sockets.push(person);
    await nextEvent(person, 'history');
    await say(person, 'cho em gặp tư vấn viên');
    const { body } = await api(server, lan.token)('POST', '/queue/next');
    person.close();

    server = await server.restart();
    const again = connectChat(server.url, 'session-restart-0000000');
    const live = consoleSocket(server, lan.token);
    sockets.push(again, live);
    const history = await nextEvent<{ messages: { text: string }[] }>(again, 'history');
    expect(history.messages.map((m) => m.text)).toContain('cho em gặp tư vấn viên');
    await nextEvent(live, 'connect');
    const received = nextEvent<{ text: string }>(live, 'message.received');
    const quiet = await say(again, 'chị ơi em vẫn ở đây');
    expect(quiet.ok && quiet.replies).toEqual([]);
    expect((await received).text).toBe('chị ơi em vẫn ở đây');
    expect(await server.store.getTicket(body.ticket.id)).toMatchObject({
      status: 'claimed',
      ownerId: lan.id,
    });
  });

  it('answers bad or unauthorised calls with 400, 401 or 403 and changes nothing', async () => {
    server = await startTestServer();
    const lan = await counsellor(server, 'lan');
    const mai = await counsellor(server, 'mai');
    const person = connectChat(server.url, 'session-guard-00000000');
    sockets.push(person);
    await nextEvent(person, 'history');
    await say(person, 'cho em gặp tư vấn viên');
    const { body } = await api(server, lan.token)('POST', '/queue/next');
    const id = body.ticket.id;

    expect((await api(server)('GET', '/queue')).status).toBe(401);
    expect((await api(server, 'forged-token')('GET', '/queue')).status).toBe(401);
    const maiCall = api(server, mai.token);
    const denied = [
      await maiCall('GET', `/tickets/${id}`),
      await maiCall('POST', `/tickets/${id}/messages`, { text: 'hi' }),
      await maiCall('POST', `/tickets/${id}/close`, { kind: 'information' }),
      await maiCall('POST', `/tickets/${id}/release`),
    ];
    expect(denied.map((r) => r.status)).toEqual([403, 403, 403, 403]);
    expect(denied[0]?.body.error.message).toMatch(/another counsellor/);
    const bad = [
      await api(server, lan.token)('POST', `/tickets/${id}/close`, {
        kind: 'referral',
        detail: 'rescue',
      }),
      await api(server, lan.token)('POST', `/tickets/${id}/close`, { kind: 'chat' }),
      await api(server, lan.token)('POST', `/tickets/${id}/messages`, { text: '   ' }),
      await api(server, lan.token)('POST', `/tickets/${id}/messages`, '{not json'),
      await api(server, lan.token)('POST', `/tickets/${id}/transfer`, { to: 'nobody' }),
    ];
    expect(bad.map((r) => r.status)).toEqual([400, 400, 400, 400, 400]);
    expect(bad[0]?.body.error.message).toMatch(/agency/);
    expect((await api(server, lan.token)('GET', '/tickets/nope')).status).toBe(404);
    // Only a permitted read of the transcript is recorded, and it is recorded every time.
    expect(
      (await api(server, lan.token)('GET', `/tickets/${id}`)).body.messages.length,
    ).toBeGreaterThan(0);
    const reads = (
      await server.store.listAudit({ conversationId: body.ticket.conversationId })
    ).filter((a) => a.action === 'read-transcript');
    expect(reads.map((a) => a.counsellorId)).toEqual([lan.id]);
    // An expired session is refused.
    await server.store.createSession({
      token: createHash('sha256').update('old-token').digest('base64url'),
      counsellorId: lan.id,
      expiresAt: new Date(Date.now() - 1000),
    });
    expect((await api(server, 'old-token')('GET', '/me')).status).toBe(401);
    expect(await server.store.getTicket(id)).toMatchObject({ status: 'claimed', ownerId: lan.id });
    const unauthorisedSocket = consoleSocket(server, 'forged-token');
    sockets.push(unauthorisedSocket);
    expect((await nextEvent<Error>(unauthorisedSocket, 'connect_error')).message).toMatch(
      /unauthorised/,
    );
  });
});
