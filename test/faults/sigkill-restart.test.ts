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
    await quiet(down, psids.length);
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

  it('killed right after the acks, while turns run: what was stored is answered exactly once; figures on the rest', async () => {
    fake = await startMessengerFake({ webhookRetries: 0 });
    dataDir = mkdtempSync(join(tmpdir(), 'sj-faults-kill-'));
    // As above, the Graph API refuses every send before the kill: nothing can have been
    // accepted by the platform, so any second copy after the restart would be a real duplicate.
    down = await refusingGraph();
    child = await startServiceChild(
      messengerEnv(fake, dataDir, { MESSENGER_GRAPH_URL: down.url, OUTBOX_POLL_MS: '600000' }),
    );
    const hook = `${child.url}/webhooks/messenger`;
    const psids = Array.from({ length: 20 }, (_, i) => `psid-b${i}`);
    // A burst: 60 deliveries at once, the kill as soon as the last one is acknowledged.
    const deliveries = psids.flatMap((psid) =>
      [0, 1, 2].map((i) => ({
        psid,
        text: `${TEXTS[i]} (${psid} #${i})`,
        mid: `mid.${psid}.${i}`,
      })),
    );
    const results = await Promise.all(
      deliveries.map((d) => fake?.deliver(hook, [fake.text(d.psid, d.text, d.mid)])),
    );
    await child.kill();
    const acked = deliveries.filter((_, i) => results[i]?.status === 200);
    expect(acked).toHaveLength(deliveries.length);

    const before = await snapshot(dataDir, psids);
    const stored = acked.filter((d) => before.inbound.get(d.psid)?.includes(d.text));
    const pendingIds = new Set([...before.pending.values()].flat().map((i) => i.id));
    const answered = stored.filter((d) => [...pendingIds].some((id) => id.includes(`:${d.mid}:`)));
    // KNOWN GAP (webhooks are acknowledged before the turn runs, by design): a message whose
    // turn had not stored it at the kill is lost although the platform got its 200, and one
    // whose turn stored it but had not enqueued its replies stays unanswered (it is marked
    // processed, so even a redelivery would not answer it). The figures are printed; the
    // assertions below hold whatever the timing.
    console.info(
      `sigkill after acks: acknowledged ${acked.length}, stored ${stored.length}, ` +
        `stored with replies queued ${answered.length}, outbox leases left ${before.leased.length}`,
    );
    expect(stored.length).toBeLessThanOrEqual(acked.length);

    // A lease held by the killed process (a send was in flight) blocks that one conversation
    // until the lease expires (60 s, longer than this test waits): nothing may reach those
    // conversations meanwhile; every other one gets exactly what was pending.
    const stuck = new Set(before.leased);
    child = await startServiceChild(messengerEnv(fake, dataDir));
    const expected = new Map(
      psids.map((psid) => [
        psid,
        (before.pending.get(psid) ?? []).map((i) => textOf(i.payload as never)).sort(),
      ]),
    );
    const live = psids.filter(
      (psid) => !stuck.has(before.pending.get(psid)?.[0]?.conversationId ?? ''),
    );
    const want = live.reduce((n, psid) => n + (expected.get(psid)?.length ?? 0), 0);
    await waitUntil(
      () =>
        (fake?.sent.filter((s) => live.includes(s.psid)).length ?? 0) >= want ? true : undefined,
      20_000,
      'all pending replies',
    );
    await new Promise((r) => setTimeout(r, 500));
    for (const psid of psids) {
      const got = fake.sent
        .filter((s) => s.psid === psid)
        .map((s) => textOf(s.body))
        .sort();
      if (live.includes(psid)) expect(got).toEqual(expected.get(psid));
      else expect(got).toEqual([]);
    }
  }, 60_000);
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

/** Resolves once the server got at least `min` requests and then none for 500 ms. */
async function quiet(server: FakeServer, min: number) {
  let seen = -1;
  let since = Date.now();
  await waitUntil(
    () => {
      const n = server.requests.length;
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
