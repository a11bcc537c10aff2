import { afterEach, describe, expect, it } from 'vitest';
import { createWindowLimiter } from '../../src/server/rate-limit.js';
import { waitUntil } from '../fakes/fake-server.js';
import { type MessengerFake, startMessengerFake } from '../fakes/messenger-fake.js';
import { messengerEnv } from '../support/channel-env.js';
import { startTestServer, type TestServer } from '../support/server.js';

const FRIENDLY = /rất nhanh/;

describe('rate limits', () => {
  it('counts per key in fixed windows and marks only the first refusal', () => {
    let now = 0;
    const limiter = createWindowLimiter({ limit: 3, windowMs: 1000, now: () => now });
    const hits = [1, 2, 3, 4, 5].map(() => limiter.hit('a'));
    expect(hits.map((h) => h.allowed)).toEqual([true, true, true, false, false]);
    expect(hits.map((h) => h.firstRefusal)).toEqual([false, false, false, true, false]);
    expect(limiter.hit('b').allowed).toBe(true);
    now = 1000;
    expect(limiter.hit('a')).toMatchObject({ allowed: true, firstRefusal: false });
  });

  let fake: MessengerFake | undefined;
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.cleanup();
    await fake?.close();
    server = undefined;
    fake = undefined;
  });

  async function start(extra: Record<string, string>) {
    fake = await startMessengerFake();
    server = await startTestServer(messengerEnv(fake, extra));
    return `${server.url}/webhooks/messenger`;
  }

  it('a burst from one Messenger user: turns up to the limit, then one friendly notice', async () => {
    const hook = await start({ USER_RATE_PER_MINUTE: '3' });
    const f = fake as MessengerFake;
    const texts = (psid: string) =>
      f.sent.filter((s) => s.psid === psid).map((s) => s.body.message.text as string);
    // How many sends one "menu" answer takes, measured on someone else.
    await f.deliver(hook, [f.text('psid-one', 'menu')]);
    await waitUntil(() => (texts('psid-one').length ? true : undefined));
    await new Promise((r) => setTimeout(r, 300));
    const perTurn = texts('psid-one').length;

    for (let i = 0; i < 5; i++) await f.deliver(hook, [f.text('psid-burst', 'menu')]);
    await f.deliver(
      hook,
      [1, 2, 3].map(() => f.text('psid-burst', 'menu')),
    );
    await waitUntil(() => (texts('psid-burst').some((t) => FRIENDLY.test(t)) ? true : undefined));
    await new Promise((r) => setTimeout(r, 500));
    const sent = texts('psid-burst');
    expect(sent.filter((t) => FRIENDLY.test(t))).toHaveLength(1);
    expect(sent.filter((t) => !FRIENDLY.test(t)).length).toBeLessThanOrEqual(3 * perTurn);
    const c = await server?.store.findConversation('messenger', 'psid-burst');
    const stored = await server?.store.listMessages(c?.id as string);
    expect(stored?.filter((m) => m.direction === 'in')).toHaveLength(3);
    // Another person is not slowed down by the first one's burst.
    await f.deliver(hook, [f.text('psid-other', 'menu')]);
    await waitUntil(() => (texts('psid-other').length ? true : undefined));
    expect(texts('psid-other').some((t) => FRIENDLY.test(t))).toBe(false);
  });

  it('answers 429 with Retry-After past the per-IP limit on webhook routes only', async () => {
    const hook = await start({ WEBHOOK_RATE_PER_IP_PER_MINUTE: '5' });
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      const res = await fetch(hook, { method: 'POST', body: '{}' });
      statuses.push(res.status);
      if (res.status === 429) {
        expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
        expect((await res.json()).error.code).toBe('rate_limited');
      } else await res.arrayBuffer();
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429]);
    expect((await fetch(`${server?.url}/healthz`)).status).toBe(200);
  });
});
