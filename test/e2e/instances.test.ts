import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, describe, expect, it } from 'vitest';
import type { Reply } from '../../src/core/types.js';
import type { ChatAck } from '../../src/server/chat-gateway.js';
import { createMongoStore } from '../../src/store/mongo/mongo-store.js';
import { createTextCipher } from '../../src/store/text-cipher.js';
import { consoleApi, signedInCounsellor } from '../support/counsellors.js';
import { mongoUri } from '../support/mongo.js';
import { connectChat, nextEvent } from '../support/server.js';

const redisUrl = process.env.REDIS_URL;
const servicesMissing = (!mongoUri || !redisUrl) && !process.env.CI;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** One real server process (the built `dist/main.js`), as production runs it. */
async function instance(env: Record<string, string>): Promise<{ url: string; proc: ChildProcess }> {
  const port = await freePort();
  const proc = spawn(process.execPath, ['dist/main.js'], {
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'silent' },
    stdio: 'ignore',
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    const ready = await fetch(`${url}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return { url, proc };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('instance did not become ready');
}

describe.skipIf(servicesMissing)('several instances on MongoDB and Redis', () => {
  const procs: ChildProcess[] = [];
  const sockets: Socket[] = [];
  const dbUris: string[] = [];
  afterAll(async () => {
    for (const s of sockets) s.close();
    for (const p of procs) p.kill('SIGKILL');
    for (const dbUri of dbUris) {
      const client = await MongoClient.connect(dbUri);
      await client.db().dropDatabase();
      await client.close();
    }
  });

  /** Settings for a fleet on its own fresh database. */
  function fleetEnv() {
    if (!mongoUri || !redisUrl)
      throw new Error('MONGODB_URI and REDIS_URL are needed (source scripts/test-services.sh)');
    const url = new URL(mongoUri);
    url.pathname = `/sj_fleet_${randomBytes(6).toString('hex')}`;
    const dbUri = url.toString();
    dbUris.push(dbUri);
    // Both instances share the key that seals message text in the store.
    const key = randomBytes(32).toString('base64');
    return {
      MONGODB_URI: dbUri,
      REDIS_URL: redisUrl,
      MESSAGE_KEY: key,
      DATA_DIR: mkdtempSync(join(tmpdir(), 'sj-fleet-')),
    };
  }

  it('hands off across instances, and a killed instance loses nothing', async () => {
    const env = fleetEnv();
    const { MONGODB_URI: dbUri, MESSAGE_KEY: key } = env;
    const [a, b] = await Promise.all([instance(env), instance(env)]);
    procs.push(a.proc, b.proc);

    // A counsellor account and session, written straight to the shared store; the API is instance B's.
    const store = await createMongoStore(dbUri, {
      cipher: createTextCipher(Buffer.from(key, 'base64')),
    });
    const lan = await signedInCounsellor(store, 'lan');
    await store.setAvailability(lan.id, true);
    const token = lan.token;
    const api = consoleApi(b.url, token);

    // The person is on instance A; the counsellor's live console is on instance B.
    const counsellor = connect(`${b.url}/console`, {
      auth: { token },
      transports: ['websocket'],
      forceNew: true,
    });
    const session = 'session-fleet-0000000000';
    const person = connectChat(a.url, session);
    sockets.push(counsellor, person);
    await Promise.all([nextEvent(counsellor, 'connect'), nextEvent(person, 'history')]);

    const opened = nextEvent<{ ticket: { id: string } }>(counsellor, 'ticket.opened');
    const asked: ChatAck = await person.emitWithAck('message', {
      id: 'f1',
      text: 'cho em gặp tư vấn viên',
    });
    expect(asked.ok).toBe(true);
    const { ticket } = await opened;

    const joined = nextEvent<{ replies: Reply[] }>(person, 'replies');
    expect((await api('POST', `/tickets/${ticket.id}/claim`)).status).toBe(200);
    expect((await joined).replies[0]?.text).toMatch(/Cô lan/);

    const received = nextEvent<{ text: string }>(counsellor, 'message.received');
    await person.emitWithAck('message', { id: 'f2', text: 'em ở Bình Dương' });
    expect((await received).text).toBe('em ở Bình Dương');

    const answer = nextEvent<{ replies: Reply[] }>(person, 'replies');
    await api('POST', `/tickets/${ticket.id}/messages`, { text: 'Chị nghe đây.' });
    expect((await answer).replies[0]?.text).toBe('Chị nghe đây.');

    // Instance A dies; the person's widget reconnects to B and carries on.
    a.proc.kill('SIGKILL');
    await nextEvent(person, 'disconnect');
    const again = connectChat(b.url, session);
    sockets.push(again);
    const history = await nextEvent<{ messages: { text: string }[] }>(again, 'history');
    const texts = history.messages.map((m) => m.text);
    expect(texts).toEqual(
      expect.arrayContaining(['cho em gặp tư vấn viên', 'em ở Bình Dương', 'Chị nghe đây.']),
    );
    const after = nextEvent<{ text: string }>(counsellor, 'message.received');
    const quiet: ChatAck = await again.emitWithAck('message', { id: 'f3', text: 'em vẫn ở đây' });
    expect(quiet.ok && quiet.replies).toEqual([]);
    expect((await after).text).toBe('em vẫn ở đây');
    expect(await store.getTicket(ticket.id)).toMatchObject({ status: 'claimed', ownerId: lan.id });

    // The counsellor closes; the person is handed back to the bot on the surviving instance.
    const goodbye = nextEvent<{ replies: Reply[] }>(again, 'replies');
    expect(
      (
        await api('POST', `/tickets/${ticket.id}/close`, {
          kind: 'counselling',
          detail: 'services',
        })
      ).status,
    ).toBe(200);
    expect((await goodbye).replies[0]?.text).toMatch(/111/);
    const bot: ChatAck = await again.emitWithAck('message', {
      id: 'f4',
      text: 'tổng đài 111 là gì',
    });
    expect(bot.ok && bot.replies[0]?.topicId).toBe('hotline-111');
    await store.close();
  }, 60_000);

  it('signing out everywhere on one instance closes the console socket on another', async () => {
    const env = fleetEnv();
    const [a, b] = await Promise.all([instance(env), instance(env)]);
    procs.push(a.proc, b.proc);
    const store = await createMongoStore(env.MONGODB_URI, {
      cipher: createTextCipher(Buffer.from(env.MESSAGE_KEY, 'base64')),
    });
    const lan = await signedInCounsellor(store, 'lan');
    // A second device of the same counsellor, live on instance B.
    const other = randomBytes(24).toString('base64url');
    await store.createSession({
      token: createHash('sha256').update(other).digest('base64url'),
      counsellorId: lan.id,
      expiresAt: new Date(Date.now() + 3600_000),
    });
    const onB = connect(`${b.url}/console`, {
      auth: { token: other },
      transports: ['websocket'],
      forceNew: true,
    });
    sockets.push(onB);
    await nextEvent(onB, 'connect');
    const closed = nextEvent<string>(onB, 'disconnect');

    expect((await consoleApi(a.url, lan.token)('POST', '/me/sessions/revoke')).status).toBe(200);
    expect(await closed).toBe('io server disconnect');
    expect((await consoleApi(b.url, other)('GET', '/me')).status).toBe(401);
    await store.close();
  }, 60_000);
});
