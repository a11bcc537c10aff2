import { afterEach, describe, expect, it } from 'vitest';
import { type MessengerFake, startMessengerFake } from '../fakes/messenger-fake.js';
import { messengerEnv } from '../support/channel-env.js';
import { startTestServer, type TestServer } from '../support/server.js';

const TEXTS = [
  'đường dây nóng 111 là gì',
  'làm sao biết công việc ở nước ngoài là lừa đảo',
  'tôi muốn đi làm ở Đài Loan, cần giấy tờ gì',
  'môi giới đòi giữ hộ chiếu có được không',
];
const PSIDS = ['psid-o1', 'psid-o2', 'psid-o3', 'psid-o4'];

/**
 * The Graph API failing for a long stretch: 40 answers 500, then 20 answers 429 with
 * Retry-After 1, then healthy. The outbox's backoff is compressed (base 50 ms, ceiling 400 ms)
 * so that what would be minutes of retries with the defaults (base 1 s, ceiling 5 min) takes
 * seconds; the Retry-After second is honoured as is.
 */
describe('a platform answering 500 and 429 for a long stretch', () => {
  let fake: MessengerFake | undefined;
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.cleanup();
    await fake?.close();
    server = undefined;
    fake = undefined;
  });

  /** Each person's messages in order; returns what the platform accepted, per person. */
  async function conversation(failing: boolean) {
    fake = await startMessengerFake({ webhookRetries: 0 });
    server = await startTestServer(
      messengerEnv(fake, { USER_RATE_PER_MINUTE: '1000', OUTBOX_RETRY_MAX_MS: '400' }),
    );
    const send = `/${fake.graphVersion}/me/messages`;
    if (failing) {
      fake.server.failNext(40, { status: 500 }, send);
      fake.server.failNext(20, { status: 429, retryAfterSeconds: 1 }, send);
    }
    const hook = `${server.url}/webhooks/messenger`;
    const acks: number[] = [];
    await Promise.all(
      PSIDS.map(async (psid) => {
        for (const [i, text] of TEXTS.entries()) {
          const event = (fake as MessengerFake).text(psid, text, `mid.${psid}.${i}`);
          acks.push((await (fake as MessengerFake).deliver(hook, [event])).status);
        }
      }),
    );
    expect(acks).toEqual(Array(PSIDS.length * TEXTS.length).fill(200));
    // Every turn stored all its replies, and the outbox emptied.
    const store = server.store;
    const deadline = Date.now() + 40_000;
    for (;;) {
      const pending = await store.pendingOutbox(1000);
      const inbound = await Promise.all(
        PSIDS.map(async (psid) => {
          const c = await store.findConversation('messenger', psid);
          return c
            ? (await store.listMessages(c.id)).filter((m) => m.direction === 'in').length
            : 0;
        }),
      );
      if (pending.length === 0 && inbound.every((n) => n === TEXTS.length)) break;
      if (Date.now() > deadline) throw new Error(`outbox not drained: ${pending.length} pending`);
      await new Promise((r) => setTimeout(r, 100));
    }
    // Settle: nothing more may arrive.
    await new Promise((r) => setTimeout(r, 300));
    const accepted = new Map(
      PSIDS.map((psid) => [
        psid,
        fake?.sent.filter((s) => s.psid === psid).map((s) => JSON.stringify(s.body.message)) ?? [],
      ]),
    );
    const attempts = fake.server.requests.filter((r) => r.path === send).length;
    const refused = fake.rejected.length;
    await server.cleanup();
    await fake.close();
    server = undefined;
    fake = undefined;
    return { accepted, attempts, refused };
  }

  it('delivers every reply exactly once and in order per person once the platform recovers', async () => {
    // The same conversations against a healthy platform: what each person should receive.
    const healthy = await conversation(false);
    const outage = await conversation(true);
    // All 60 injected failures were met, and retried (none was given up).
    expect(outage.attempts).toBe(healthy.attempts + 60);
    expect(outage.refused).toBe(0);
    for (const psid of PSIDS) {
      const want = healthy.accepted.get(psid) ?? [];
      expect(want.length).toBeGreaterThanOrEqual(TEXTS.length);
      // Exactly once each, in the order of the healthy run.
      expect(outage.accepted.get(psid)).toEqual(want);
    }
  }, 60_000);
});
