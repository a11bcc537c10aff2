import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { Role } from '../../src/core/handoff-types.js';
import { replyWindow } from '../../src/handoff/reply-window.js';
import { consoleApi, signedInCounsellor } from '../support/counsellors.js';
import { mongoMissing, mongoUri } from '../support/mongo.js';
import { mongoEnv, startTestServer, type TestServer } from '../support/server.js';

async function signedIn(server: TestServer, username: string, role: Role) {
  const c = await signedInCounsellor(server.store, username, role);
  return consoleApi(server.url, c.token);
}

describe('team API', () => {
  let server: TestServer;
  afterEach(async () => {
    await server?.cleanup();
  });

  it('lets supervisors edit canned replies and everyone read them; a counsellor gets 403', async () => {
    server = await startTestServer();
    const sup = await signedIn(server, 'sup', 'supervisor');
    const lan = await signedIn(server, 'lan', 'counsellor');
    expect(
      (await lan('POST', '/canned', { locale: 'vi', title: 'Chào', text: 'Chào em' })).status,
    ).toBe(403);
    expect((await sup('POST', '/canned', { locale: 'vi', title: '', text: 'x' })).status).toBe(400);
    const created = await sup('POST', '/canned', {
      locale: 'vi',
      title: 'Chào',
      text: 'Chào em, chị nghe đây.',
    });
    expect(created.status).toBe(201);
    const edited = await sup('PUT', `/canned/${created.body.reply.id}`, {
      locale: 'vi',
      title: 'Chào',
      text: 'Chào em.',
    });
    expect(edited.body.reply.text).toBe('Chào em.');
    expect((await lan('GET', '/canned')).body.replies.map((r: { text: string }) => r.text)).toEqual(
      ['Chào em.'],
    );
    expect((await lan('DELETE', `/canned/${created.body.reply.id}`)).status).toBe(403);
    expect((await sup('DELETE', `/canned/${created.body.reply.id}`)).status).toBe(204);
    expect((await sup('DELETE', `/canned/${created.body.reply.id}`)).status).toBe(404);
  });

  it('lists colleagues without password hashes', async () => {
    server = await startTestServer();
    const lan = await signedIn(server, 'lan', 'counsellor');
    await signedIn(server, 'mai', 'counsellor');
    const { body } = await lan('GET', '/counsellors');
    expect(body.counsellors.map((c: { username: string }) => c.username)).toEqual(['lan', 'mai']);
    expect(JSON.stringify(body)).not.toContain('passwordHash');
  });

  it('finds agencies by need and by a province named the old way', async () => {
    server = await startTestServer();
    const lan = await signedIn(server, 'lan', 'counsellor');
    const { body } = await lan(
      'GET',
      `/directory?province=${encodeURIComponent('Ha Giang')}&need=rescue`,
    );
    expect(body.province.name).toBe('Tuyên Quang');
    expect(body.agencies.map((a: { id: string }) => a.id)).toEqual([
      'police',
      'mofa-citizen-protection',
    ]);
    expect(body.agencies[0].contacts[0].value).toBe('113');
  });

  it('gives supervisors the overview and refuses it to counsellors', async () => {
    server = await startTestServer();
    const sup = await signedIn(server, 'sup', 'supervisor');
    const lan = await signedIn(server, 'lan', 'counsellor');
    expect((await lan('GET', '/overview')).status).toBe(403);
    const c = await server.store.openConversation('web', 'x', 'vi');
    const { ticket } = await server.store.openTicket({
      conversationId: c.id,
      channel: 'web',
      locale: 'vi',
      level: 'emergency',
      signals: [],
      reason: 'emergency',
    });
    await server.store.claimTicket(ticket.id, 'someone');
    const { body } = await sup('GET', '/overview');
    expect(body).toMatchObject({
      inProgress: 1,
      waiting: 0,
      emergenciesToday: { total: 1, takenWithinTarget: 1, share: 1 },
    });
  });
});

describe('reply windows', () => {
  const last = new Date('2026-11-22T00:00:00Z');
  const hoursLater = (hours: number) => new Date(last.getTime() + hours * 3600_000);
  it('has none for the web widget', () => {
    expect(replyWindow('web', last, hoursLater(1000))).toEqual({ limited: false, state: 'open' });
  });
  it('closes Messenger after 7 days (human agent), with the standard 24 h as a soft limit', () => {
    expect(replyWindow('messenger', last, hoursLater(23))).toMatchObject({
      state: 'open',
      softLimitAt: hoursLater(24),
    });
    expect(replyWindow('messenger', last, hoursLater(167)).state).toBe('closing');
    expect(replyWindow('messenger', last, hoursLater(168)).state).toBe('closed');
  });
  it('keeps Zalo free for 48 h and closes it after 7 days', () => {
    expect(replyWindow('zalo', last, hoursLater(47))).toMatchObject({
      state: 'open',
      softLimitAt: hoursLater(48),
      closesAt: hoursLater(168),
    });
    expect(replyWindow('zalo', undefined, hoursLater(1)).state).toBe('closed');
  });
});

// Deletion must be real in both stores: the same requests on SQLite and on MongoDB.
const stores = [
  { name: 'SQLite', env: () => ({}), skip: false },
  { name: 'MongoDB', env: () => mongoEnv(mongoUri as string), skip: mongoMissing },
];

describe.each(stores)('admin and user deletion on $name', ({ env, skip }) => {
  let server: TestServer;
  afterEach(async () => {
    await server?.cleanup();
  });

  it.skipIf(skip)(
    'deletes a conversation when the person asks, after one confirmation',
    async () => {
      server = await startTestServer(env());
      const say = (text: string, choice?: string) =>
        server.engine.handle({
          channel: 'web',
          userId: 'asker',
          messageId: randomBytes(6).toString('hex'),
          text,
          ...(choice ? { choice } : {}),
          receivedAt: new Date(),
        });
      const first = await say('công ty giữ hộ chiếu của tôi');
      const asked = await say('xóa dữ liệu của tôi');
      expect(asked.replies[0]?.choices?.map((c) => c.payload)).toContain('cmd:delete-yes');
      await say('', 'cmd:delete-yes');
      expect(await server.store.getConversation(first.conversationId)).toBeUndefined();
      expect(await server.store.listMessages(first.conversationId)).toEqual([]);
    },
  );

  it.skipIf(skip)(
    'exports and deletes one conversation for an admin only, and records both in the audit log',
    async () => {
      server = await startTestServer(env());
      const admin = await signedIn(server, 'admin', 'admin');
      const sup = await signedIn(server, 'sup', 'supervisor');
      const c = await server.store.openConversation('web', 'person', 'vi');
      await server.store.appendMessage({
        conversationId: c.id,
        direction: 'in',
        text: 'xin xóa dữ liệu của tôi',
      });
      expect((await sup('GET', `/admin/conversations/${c.id}/export`)).status).toBe(403);
      const exported = await admin('GET', `/admin/conversations/${c.id}/export`);
      expect(exported.body.messages.map((m: { text: string }) => m.text)).toEqual([
        'xin xóa dữ liệu của tôi',
      ]);
      expect((await sup('DELETE', `/admin/conversations/${c.id}`)).status).toBe(403);
      expect((await admin('DELETE', `/admin/conversations/${c.id}`)).status).toBe(204);
      expect(await server.store.getConversation(c.id)).toBeUndefined();
      expect(await server.store.listMessages(c.id)).toEqual([]);
      expect((await admin('DELETE', `/admin/conversations/${c.id}`)).status).toBe(404);
      const audit = await server.store.listAudit({ conversationId: c.id });
      expect(audit.map((a) => a.action)).toEqual(['export-conversation', 'delete-conversation']);
    },
  );
});
