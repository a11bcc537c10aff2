import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { messageCipher } from '../../src/store/message-key.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { OutboxItem } from '../../src/store/store.js';
import { type FakeServer, startFakeServer, waitUntil } from '../fakes/fake-server.js';
import { type MessengerFake, startMessengerFake } from '../fakes/messenger-fake.js';
import { messengerEnv, type ServiceChild, startServiceChild } from './child.js';

/**
 * The real service (src/main.ts) in a child process on SQLite in a temporary DATA_DIR, its
 * Messenger channel pointed at the fakes, killed with SIGKILL and started again on the same
 * folder. The store is then read directly (same file, same DATA_DIR/message.key).
 *
 * At-least-once window: a send the platform accepted just before a kill is not yet marked sent,
 * so it would be sent again after the restart. Both tests avoid that window on purpose: before
 * the kill, the Graph API refuses every send (503), so the platform accepted nothing and any
 * second copy after the restart would be a real duplicate; the assertions are "exactly once".
 */
const TEXTS = [
  'xin chào',
  'đường dây nóng 111 là gì',
  'làm sao biết công việc ở nước ngoài là lừa đảo',
  'menu',
  'tôi muốn đi làm ở Đài Loan, cần giấy tờ gì',
  'môi giới đòi giữ hộ chiếu có được không',
];

interface Snapshot {
  /** Inbound messages stored, per PSID, by message text. */
  inbound: Map<string, string[]>;
  /** Outbox items not yet sent, per PSID, in the order the outbox sends them. */
  pending: Map<string, OutboxItem[]>;
  /** Conversations whose outbox lease the killed process still held. */
  leased: string[];
}

/** Opens the killed service's store the way it does (same file, same message key). */
async function snapshot(dataDir: string, psids: string[]): Promise<Snapshot> {
  const store = createSqliteStore(join(dataDir, 'safe-journey.db'), {
    cipher: messageCipher({ keyFile: join(dataDir, 'message.key'), required: false }),
  });
  try {
    const inbound = new Map<string, string[]>();
    const pending = new Map<string, OutboxItem[]>();
    const items = await store.pendingOutbox(10_000);
    for (const psid of psids) {
      const c = await store.findConversation('messenger', psid);
      const messages = c ? await store.listMessages(c.id, 10_000) : [];
      inbound.set(
        psid,
        messages.filter((m) => m.direction === 'in').map((m) => m.text),
      );
      pending.set(
        psid,
        items.filter((i) => i.userId === psid),
      );
    }
    return { inbound, pending, leased: await leasedConversations(dataDir) };
  } finally {
    await store.close();
  }
}

const textOf = (body: { message?: { text?: string } }) => body.message?.text ?? '';

describe('SIGKILL in the middle of turns and pending sends, then restart', () => {
  let fake: MessengerFake | undefined;
  let child: ServiceChild | undefined;
  let dataDir: string | undefined;
  let down: FakeServer | undefined;
  afterEach(async () => {
    await child?.kill();
    await fake?.close();
    await down?.close();
    down = undefined;
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    child = undefined;
    fake = undefined;
    dataDir = undefined;
  });

  /** Each sender's messages in order (one delivery each), all senders at once; the acks. */
  async function deliverBatch(hook: string, psids: string[], perSender: number) {
    const acked = new Map<string, string[]>();
    await Promise.all(
      psids.map(async (psid) => {
        for (let i = 0; i < perSender; i++) {
          const text = `${TEXTS[i % TEXTS.length]} (${psid} #${i})`;
          const res = await fake?.deliver(hook, [fake.text(psid, text, `mid.${psid}.${i}`)]);
          if (res?.status === 200) acked.set(psid, [...(acked.get(psid) ?? []), text]);
        }
      }),
    );
    return acked;
  }

  it('killed with replies pending (platform refusing sends): every acknowledged message is stored, every reply sent exactly once after the restart', async () => {
    fake = await startMessengerFake({ webhookRetries: 0 });
    dataDir = mkdtempSync(join(tmpdir(), 'sj-faults-kill-'));
    // Before the kill the Graph API refuses every send (503), so no send is in flight that the
    // platform might have accepted: each pending reply is pending for sure. This is how the
    // test avoids the one at-least-once window (a send accepted just before a kill is sent again).
    down = await refusingGraph();
    // Retries come only from the periodic pass, here every 10 minutes: after each reply's first
    // (refused) attempt the outbox is idle and holds no lease, so the kill cannot strand one.
    child = await startServiceChild(
      messengerEnv(fake, dataDir, { MESSENGER_GRAPH_URL: down.url, OUTBOX_POLL_MS: '600000' }),
    );
    const hook = `${child.url}/webhooks/messenger`;
    const psids = ['psid-k1', 'psid-k2', 'psid-k3', 'psid-k4', 'psid-k5'];
    const acked = await deliverBatch(hook, psids, 6);
    const total = [...acked.values()].reduce((n, a) => n + a.length, 0);
    expect(total).toBe(30);
    // Wait until every turn has run and the outbox has gone quiet (all first attempts refused).
    await quiet(() => down?.requests.length ?? 0, psids.length);
    await child.kill();
    expect(fake.sent).toEqual([]);

    const before = await snapshot(dataDir, psids);
    expect(before.leased).toEqual([]);
    for (const psid of psids) {
      expect(before.inbound.get(psid)).toEqual(acked.get(psid));
      // Every turn left at least one reply waiting, keyed by its platform message id.
      const items = before.pending.get(psid) ?? [];
      for (let i = 0; i < 6; i++) {
        expect(items.some((item) => item.id.includes(`:mid.${psid}.${i}:`))).toBe(true);
      }
    }

    // The platform is back; a new process on the same data folder sends what was pending.
    child = await startServiceChild(messengerEnv(fake, dataDir));
    const expected = new Map(
      psids.map((psid) => [
        psid,
        (before.pending.get(psid) ?? []).map((i) => textOf(i.payload as never)),
      ]),
    );
    const want = [...expected.values()].reduce((n, t) => n + t.length, 0);
    await waitUntil(
      () => ((fake?.sent.length ?? 0) >= want ? true : undefined),
      20_000,
      'all pending replies',
    );
    // Settle: nothing more may arrive.
    await new Promise((r) => setTimeout(r, 500));
    for (const psid of psids) {
      const got = fake.sent.filter((s) => s.psid === psid).map((s) => textOf(s.body));
      // Exactly once each, in the order they were queued.
      expect(got).toEqual(expected.get(psid));
    }
    expect(fake.sent).toHaveLength(want);
    await child.stop();
    const after = await snapshot(dataDir, psids);
    for (const psid of psids) expect(after.pending.get(psid)).toEqual([]);
  }, 60_000);

  it('killed right after the acks, while turns run: after the restart every acknowledged message is stored and answered exactly once', async () => {
    fake = await startMessengerFake({ webhookRetries: 0 });
    const psids = Array.from({ length: 20 }, (_, i) => `psid-b${i}`);
    const sentBy = (psid: string) =>
      (fake?.sent ?? []).filter((s) => s.psid === psid).map((s) => textOf(s.body));

    // The reference: the same deliveries to a service that is never killed. Each sender's
    // messages go one after another, so each conversation's answers are known in order.
    dataDir = mkdtempSync(join(tmpdir(), 'sj-faults-ref-'));
    child = await startServiceChild(messengerEnv(fake, dataDir));
    await deliverBatch(`${child.url}/webhooks/messenger`, psids, 3);
    await quiet(() => fake?.sent.length ?? 0, psids.length * 3);
    const reference = new Map(psids.map((psid) => [psid, sentBy(psid)]));
    await child.stop();
    child = undefined;
    rmSync(dataDir, { recursive: true, force: true });
    fake.sent.length = 0;

    // Now killed as soon as the last delivery is acknowledged, turns still running. Sends are
    // refused until then (503), so the platform has accepted nothing a restart could repeat.
    dataDir = mkdtempSync(join(tmpdir(), 'sj-faults-kill-'));
    down = await refusingGraph();
    child = await startServiceChild(
      messengerEnv(fake, dataDir, { MESSENGER_GRAPH_URL: down.url, OUTBOX_POLL_MS: '600000' }),
    );
    const acked = await deliverBatch(`${child.url}/webhooks/messenger`, psids, 3);
    await child.kill();
    expect([...acked.values()].flat()).toHaveLength(psids.length * 3);
    const before = await snapshot(dataDir, psids);
    const storedBefore = [...before.inbound.values()].flat().length;
    const queuedBefore = [...before.pending.values()].flat().length;

    // The restart resumes what the inbox still holds (INBOX_RESUME_SECONDS=0: no other
    // instance could own it) and sends every pending reply.
    child = await startServiceChild(messengerEnv(fake, dataDir, { INBOX_RESUME_SECONDS: '0' }));
    const want = [...reference.values()].flat().length;
    await waitUntil(
      () => (fake && fake.sent.length >= want ? true : undefined),
      30_000,
      'every reply',
    );
    await new Promise((r) => setTimeout(r, 500));
    console.info(
      `sigkill after acks: acknowledged ${psids.length * 3}, stored at the kill ${storedBefore}, ` +
        `replies queued at the kill ${queuedBefore}, replies after the restart ${fake.sent.length}/${want}`,
    );
    const after = await snapshot(dataDir, psids);
    for (const psid of psids) {
      // Every acknowledged message is in the transcript (a turn cut short may have written its
      // message once already: the transcript may repeat it, the answers may not).
      for (const text of acked.get(psid) ?? []) expect(after.inbound.get(psid)).toContain(text);
      // Answered exactly once each, in order: the same messages as the run never killed.
      expect(sentBy(psid)).toEqual(reference.get(psid));
      expect(after.pending.get(psid)).toEqual([]);
    }
    expect(fake.sent).toHaveLength(want);
  }, 90_000);
});

/** Conversations whose outbox lease a killed process still holds. */
async function leasedConversations(dataDir: string): Promise<string[]> {
  const db = new Database(join(dataDir, 'safe-journey.db'), { readonly: true });
  try {
    const rows = db.prepare("SELECT key FROM locks WHERE key LIKE 'outbox:%'").all() as {
      key: string;
    }[];
    return rows.map((r) => r.key.slice('outbox:'.length));
  } finally {
    db.close();
  }
}

/** A Graph API that is down: every request gets 503 (and is recorded). */
async function refusingGraph(): Promise<FakeServer> {
  const server = await startFakeServer({});
  server.failNext(Number.MAX_SAFE_INTEGER, { status: 503 });
  return server;
}

/** Resolves once `count()` reached at least `min` and then stayed the same for 500 ms. */
async function quiet(count: () => number, min: number) {
  let seen = -1;
  let since = Date.now();
  await waitUntil(
    () => {
      const n = count();
      if (n !== seen) {
        seen = n;
        since = Date.now();
      }
      return n >= min && Date.now() - since >= 500 ? true : undefined;
    },
    15_000,
    'the outbox to go quiet',
  );
}
