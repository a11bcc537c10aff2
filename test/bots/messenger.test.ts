import { afterEach, describe, expect, it } from 'vitest';
import { waitUntil } from '../fakes/fake-server.js';
import { type MessengerFake, startMessengerFake } from '../fakes/messenger-fake.js';
import { messengerEnv } from '../support/channel-env.js';
import { consoleApi, signedInCounsellor } from '../support/counsellors.js';
import { pollQueue, pollUntil } from '../support/poll.js';
import { startTestServer, type TestServer } from '../support/server.js';

const DAY = 86_400_000;

/** Messenger end to end: the fake signs webhooks and checks every send like Graph does. */
describe('Messenger channel', () => {
  let fake: MessengerFake;
  let server: TestServer;
  afterEach(async () => {
    await server?.cleanup();
    await fake?.close();
  });

  async function start(extra: Record<string, string> = {}) {
    fake = await startMessengerFake();
    server = await startTestServer(messengerEnv(fake, extra));
    return `${server.url}/webhooks/messenger`;
  }

  const texts = (psid: string) =>
    fake.sent.filter((s) => s.psid === psid).map((s) => s.body.message.text as string);

  it('answers a signed message at the platform, with quick replies within its limits', async () => {
    const hook = await start();
    expect(await fake.verify(hook)).toMatchObject({ status: 200 });
    expect((await fake.verify(hook, 'wrong-token')).status).toBe(403);

    const res = await fake.deliver(hook, [fake.text('psid-a', 'đường dây nóng 111 là gì')]);
    expect(res.status).toBe(200);
    const sent = await waitUntil(() => fake.sent.find((s) => s.psid === 'psid-a'));
    expect(sent.body.messaging_type).toBe('RESPONSE');
    expect(sent.body.message.text).toMatch(/111/);
    const quick = sent.body.message.quick_replies as { title: string; payload: string }[];
    expect(quick.length).toBeGreaterThan(0);
    expect(quick.length).toBeLessThanOrEqual(13);
    expect(quick.some((q) => q.payload === 'cmd:person')).toBe(true);
    expect(fake.rejected).toEqual([]);
  });

  it('rejects a bad or missing signature and stores nothing', async () => {
    const hook = await start();
    for (const opts of [{ badSignature: true }, { noSignature: true }]) {
      const res = await fake.deliver(hook, [fake.text('psid-bad', 'xin chào')], opts);
      expect(res.status).toBe(401);
    }
    await new Promise((r) => setTimeout(r, 150));
    expect(await server.store.findConversation('messenger', 'psid-bad')).toBeUndefined();
    expect(fake.sent).toEqual([]);
  });

  it('answers the same delivery once, even when three copies overlap', async () => {
    const hook = await start();
    const event = fake.text('psid-dup', 'làm sao biết công việc ở nước ngoài là lừa đảo');
    const results = await Promise.all([1, 2, 3].map(() => fake.deliver(hook, [event])));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    await waitUntil(() => (texts('psid-dup').length ? true : undefined));
    await new Promise((r) => setTimeout(r, 300));
    const conversation = await server.store.findConversation('messenger', 'psid-dup');
    const stored = await server.store.listMessages(conversation?.id as string);
    expect(stored.filter((m) => m.direction === 'in')).toHaveLength(1);
    expect(texts('psid-dup')).toHaveLength(stored.filter((m) => m.direction === 'out').length);
  });

  it('retries through 5xx, a dropped connection and a 429 with Retry-After, and sends once', async () => {
    const hook = await start();
    const send = `/${fake.graphVersion}/me/messages`;
    fake.server.failNext(2, { status: 503 }, send);
    fake.server.failNext(1, { network: true }, send);
    fake.server.failNext(1, { status: 429, retryAfterSeconds: 1 }, send);
    await fake.deliver(hook, [fake.text('psid-flaky', 'menu')]);
    const sent = await waitUntil(() => fake.sent.find((s) => s.psid === 'psid-flaky'), 10_000);
    const attempts = fake.server.requests.filter((r) => r.path === send);
    expect(attempts).toHaveLength(5);
    // Retry-After: the attempt after the 429 waited at least the second it asked for.
    expect(sent.at - (attempts[3]?.at ?? 0)).toBeGreaterThanOrEqual(1000);
    await new Promise((r) => setTimeout(r, 300));
    expect(texts('psid-flaky')).toHaveLength(1);
  });

  it('sends a pending message after a restart, and only once', async () => {
    const hook = await start({ OUTBOX_RETRY_BASE_MS: '1500' });
    fake.server.failNext(1, { status: 502 }, `/${fake.graphVersion}/me/messages`);
    await fake.deliver(hook, [fake.text('psid-restart', 'menu')]);
    await waitUntil(() => (fake.server.requests.length ? true : undefined));
    server = await server.restart();
    expect(fake.sent).toEqual([]);
    await waitUntil(() => fake.sent.find((s) => s.psid === 'psid-restart'), 10_000);
    await new Promise((r) => setTimeout(r, 300));
    expect(texts('psid-restart')).toHaveLength(1);
  });

  it('splits a long answer on sentence boundaries, each piece under 2000 characters', async () => {
    const hook = await start();
    await fake.deliver(hook, [fake.quickReply('psid-long', 'Đọc thêm', 'more:debt-bondage')]);
    await waitUntil(() => (texts('psid-long').length >= 2 ? true : undefined));
    await new Promise((r) => setTimeout(r, 200));
    const pieces = texts('psid-long');
    for (const p of pieces) expect(p.length).toBeLessThan(2000);
    // Every cut falls between sentences or paragraphs, never inside a word or sentence.
    for (const [i, p] of pieces.slice(0, -1).entries()) {
      const next = pieces[i + 1] as string;
      expect(/[.!?…]$/.test(p) || /^(\p{Lu}|•|\d+\.)/u.test(next)).toBe(true);
    }
    expect(pieces.join('').length).toBeGreaterThan(2000);
    // Only the last piece carries the quick replies.
    const bodies = fake.sent.filter((s) => s.psid === 'psid-long');
    expect(bodies.at(-1)?.body.message.quick_replies).toBeDefined();
    expect(bodies[0]?.body.message.quick_replies).toBeUndefined();
  });

  it('gives a kind answer to a sticker and greets on Get Started', async () => {
    const hook = await start();
    await fake.deliver(hook, [fake.attachment('psid-media', 'sticker')]);
    await waitUntil(() => (texts('psid-media').length ? true : undefined));
    expect(texts('psid-media')[0]).toMatch(/chữ/);
    await fake.deliver(hook, [fake.postback('psid-new', 'GET_STARTED', 'Bắt đầu')]);
    await waitUntil(() => (texts('psid-new').length ? true : undefined));
    expect(fake.sent.find((s) => s.psid === 'psid-new')?.body.message.quick_replies).toBeDefined();
  });

  it('lets a counsellor answer an escalated chat, with HUMAN_AGENT after 24 hours and a clear error after 7 days', async () => {
    const hook = await start();
    const counsellor = await signedInCounsellor(server.store, 'lan');
    const api = consoleApi(server.url, counsellor.token);

    // The person wrote three days ago (a delayed delivery): only a person may answer now.
    const old = { ...fake.text('psid-help', 'tôi muốn nói chuyện với tư vấn viên') } as {
      timestamp: number;
    };
    old.timestamp = Date.now() - 3 * DAY;
    await fake.deliver(hook, [old]);
    const queued = await pollQueue(api);
    expect((await api('POST', `/tickets/${queued}/claim`)).status).toBe(200);
    const res = await api('POST', `/tickets/${queued}/messages`, {
      text: 'Chào bạn, mình là Lan.',
    });
    expect(res.status).toBe(200);
    const human = await waitUntil(() =>
      fake.sent.find((s) => s.body.message.text?.includes('mình là Lan')),
    );
    expect(human.body).toMatchObject({ messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' });
    // The bot's own automatic messages were refused by the platform: the counsellor sees why.
    const view = await api('GET', `/tickets/${queued}`);
    expect(view.body.undelivered.map((u: { reason: string }) => u.reason)).toContain(
      'window_closed',
    );

    // A photo sent while the counsellor is in the chat reaches the counsellor, link included.
    await fake.deliver(hook, [fake.attachment('psid-help', 'image')]);
    const transcript = await pollUntil(async () => {
      const t = await api('GET', `/tickets/${queued}`);
      const texts = t.body.messages.map((m: { text: string }) => m.text) as string[];
      return texts.find((x) => x.startsWith('[image: http'));
    });
    expect(transcript).toBeDefined();

    // Eight days: nothing may be sent, and the counsellor is told before anything is stored.
    const late = { ...fake.text('psid-late', 'cho tôi gặp người tư vấn') } as { timestamp: number };
    late.timestamp = Date.now() - 8 * DAY;
    await fake.deliver(hook, [late]);
    const lateTicket = await pollQueue(api);
    expect((await api('POST', `/tickets/${lateTicket}/claim`)).status).toBe(200);
    const refused = await api('POST', `/tickets/${lateTicket}/messages`, { text: 'Bạn ơi?' });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/168 hours/);
    expect(fake.sent.some((s) => s.body.message.text === 'Bạn ơi?')).toBe(false);
  });

  it('marks a person who blocked the page and stops sending to them', async () => {
    const hook = await start();
    fake.block('psid-blocked');
    await fake.deliver(hook, [fake.text('psid-blocked', 'menu')]);
    const conversation = await pollUntil(async () => {
      const found = await server.store.findConversation('messenger', 'psid-blocked');
      return found?.context.unreachable ? found : undefined;
    });
    expect(fake.rejected.map((r) => r.error.code)).toContain(551);
    expect(await server.store.undelivered(conversation.id)).not.toEqual([]);
    // The next answer is not even tried: the person said they do not want our messages.
    const before = fake.server.requests.length;
    await server.handoff.counsellorTyping('none', { id: 'x' } as never);
    await fake.deliver(hook, [fake.echo('psid-blocked', 'echo')]);
    expect(fake.server.requests.length).toBe(before);
  });

  it('refuses to start with half a Messenger configuration, naming what is missing', async () => {
    await expect(
      startTestServer({ MESSENGER_APP_SECRET: 'x', MESSENGER_PAGE_ACCESS_TOKEN: 'y' }),
    ).rejects.toThrow(/MESSENGER_VERIFY_TOKEN/);
  });
});
