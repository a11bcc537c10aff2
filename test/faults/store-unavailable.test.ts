import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '../fakes/fake-server.js';
import { type MessengerFake, startMessengerFake } from '../fakes/messenger-fake.js';
import { messengerEnv, type ServiceChild, startServiceChild } from './child.js';

/**
 * The SQLite file locked by another connection (`BEGIN EXCLUSIVE`), with the real service in
 * a child process so that its synchronous busy wait (busy_timeout 5 s) cannot stall the test.
 * The scenario runs once; each test checks one thing it observed.
 *
 * What the service does:
 * - /readyz takes (and gives back) a write lock with no wait, so it answers 503 while another
 *   process holds the file (it used to answer 200 from a `SELECT 1` that reads no page);
 * - a webhook is acknowledged only once its event is in the inbox. During a lock longer than
 *   busy_timeout (5 s) that fails, the platform gets 503 and delivers again: nothing it was told
 *   we have is lost. A lock shorter than busy_timeout only delays the 200.
 * The MongoDB half (the wire server stopped and restarted) is in mongo-restart.test.ts.
 */
describe('SQLite store locked by another connection', () => {
  let fake: MessengerFake;
  let child: ServiceChild;
  let dataDir: string;
  const seen = {
    readyBefore: 0,
    readyLocked: 0,
    readyLockedBody: '',
    readyReleased: 0,
    longLockAck: 0,
    longLockRedelivered: 0,
    longLockStored: 0,
    longLockSent: 0,
    shortLockAck: 0,
    shortLockStored: 0,
    shortLockSent: 0,
    afterAck: 0,
    afterStored: 0,
    afterSent: 0,
  };

  const readyz = async () => {
    const res = await fetch(`${child.url}/readyz`);
    return { status: res.status, body: await res.text() };
  };
  const inbound = (psid: string) => {
    const db = new Database(join(dataDir, 'safe-journey.db'), { readonly: true });
    try {
      return (
        db
          .prepare(
            `SELECT count(*) AS n FROM messages m JOIN conversations c ON c.id = m.conversation_id
             WHERE c.user_id = ? AND m.direction = 'in'`,
          )
          .get(psid) as { n: number }
      ).n;
    } finally {
      db.close();
    }
  };
  const sentTo = (psid: string) => fake.sent.filter((s) => s.psid === psid).length;
  const lock = () => {
    const db = new Database(join(dataDir, 'safe-journey.db'));
    db.exec('BEGIN EXCLUSIVE');
    return () => {
      db.exec('COMMIT');
      db.close();
    };
  };
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  beforeAll(async () => {
    fake = await startMessengerFake({ webhookRetries: 0 });
    dataDir = mkdtempSync(join(tmpdir(), 'sj-faults-store-'));
    child = await startServiceChild(messengerEnv(fake, dataDir, { LOG_LEVEL: 'error' }));
    const hook = `${child.url}/webhooks/messenger`;
    seen.readyBefore = (await readyz()).status;

    // A lock held 8 s, longer than the service's busy_timeout (5 s).
    let release = lock();
    const locked = await readyz();
    seen.readyLocked = locked.status;
    seen.readyLockedBody = locked.body;
    const longMessage = fake.text('psid-long', 'menu', 'mid.long');
    seen.longLockAck = (await fake.deliver(hook, [longMessage])).status;
    await sleep(3000);
    release();
    seen.readyReleased = (await readyz()).status;
    // The platform delivers the refused event again, as Messenger does after a non-200.
    seen.longLockRedelivered = (await fake.deliver(hook, [longMessage])).status;
    await waitUntil(() => (sentTo('psid-long') > 0 ? true : undefined), 10_000, 'long-lock reply');
    await sleep(300);
    seen.longLockStored = inbound('psid-long');
    seen.longLockSent = sentTo('psid-long');

    // A lock held 1.5 s, shorter than busy_timeout: the turn waits for it.
    release = lock();
    const shortAck = fake.deliver(hook, [fake.text('psid-short', 'menu', 'mid.short')]);
    await sleep(1500);
    release();
    seen.shortLockAck = (await shortAck).status;
    await waitUntil(
      () => (sentTo('psid-short') > 0 ? true : undefined),
      10_000,
      'short-lock reply',
    );
    seen.shortLockStored = inbound('psid-short');
    seen.shortLockSent = sentTo('psid-short');

    // After the outage, a new message goes through as usual.
    seen.afterAck = (
      await fake.deliver(hook, [fake.text('psid-after', 'menu', 'mid.after')])
    ).status;
    await waitUntil(() => (sentTo('psid-after') > 0 ? true : undefined), 10_000, 'reply after');
    seen.afterStored = inbound('psid-after');
    seen.afterSent = sentTo('psid-after');
  }, 50_000);

  afterAll(async () => {
    await child?.kill();
    await fake?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('is ready before and after the lock, and answers new messages once it is released', () => {
    expect(seen.readyBefore).toBe(200);
    expect(seen.readyReleased).toBe(200);
    expect([seen.afterAck, seen.afterStored]).toEqual([200, 1]);
    expect(seen.afterSent).toBeGreaterThan(0);
  });

  it('treats a lock shorter than busy_timeout as a delay: the message is stored and answered', () => {
    expect([seen.shortLockAck, seen.shortLockStored]).toEqual([200, 1]);
    expect(seen.shortLockSent).toBeGreaterThan(0);
  });

  it('refuses (503) a webhook it cannot store during a long lock, so the platform delivers it again', () => {
    expect(seen.longLockAck).toBe(503);
  });

  it('reports not ready (503) while the file is locked', () => {
    expect({ status: seen.readyLocked, body: seen.readyLockedBody }).toEqual({
      status: 503,
      body: JSON.stringify({ status: 'store unavailable' }),
    });
  });

  it('stores and answers the redelivered message once, after the lock', () => {
    expect(seen.longLockRedelivered).toBe(200);
    expect([seen.longLockStored, seen.longLockSent]).toEqual([1, 1]);
  });
});
