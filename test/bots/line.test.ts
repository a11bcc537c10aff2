import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLineAdapter } from '../../src/bots/line/line-adapter.js';
import { PlatformError } from '../../src/core/errors.js';
import { waitUntil } from '../fakes/fake-server.js';
import {
  type LineFake,
  type LineFakeOptions,
  type LineSend,
  startLineFake,
} from '../fakes/line-fake.js';
import { consoleApi, signedInCounsellor } from '../support/counsellors.js';
import { pollQueue, pollUntil } from '../support/poll.js';
import { startTestServer, type TestServer } from '../support/server.js';

// biome-ignore lint/suspicious/noExplicitAny: LINE message objects are inspected loosely.
type Json = any;

const REPLY = '/v2/bot/message/reply';
const PUSH = '/v2/bot/message/push';

/** A LINE-shaped user id (U + 32 hex) per test person. */
const user = (name: string) => `U${createHash('md5').update(name).digest('hex')}`;

/** LINE end to end: the fake signs webhooks, issues one-minute reply tokens and checks every send. */
describe('LINE channel', () => {
  let fake: LineFake;
  let server: TestServer;
  /** Reply requests name no user, only the token: remember whose token it was. */
  const owners = new Map<string, string>();
  afterEach(async () => {
    await server?.cleanup();
    await fake?.close();
    owners.clear();
  });

  async function start(extra: Record<string, string> = {}, options: LineFakeOptions = {}) {
    fake = await startLineFake(options);
    server = await startTestServer(env(fake, extra));
    return `${server.url}/webhooks/line`;
  }

  /** An event from the fake, with its reply token's owner noted. */
  function ev(event: Json): Json {
    if (event.replyToken) owners.set(event.replyToken, event.source.userId);
    return event;
  }

  const sends = (userId: string): LineSend[] =>
    fake.sent.filter(
      (s) => s.to === userId || (s.replyToken && owners.get(s.replyToken) === userId),
    );
  const texts = (userId: string): string[] =>
    sends(userId).flatMap((s) => s.messages.map((m: Json) => m.text as string));
  const settle = () => new Promise((r) => setTimeout(r, 300));

  it('answers a signed message with the free reply token, quick replies as postbacks', async () => {
    const hook = await start();
    expect((await fake.deliver(hook, [])).status).toBe(200); // the console's "Verify"
    const a = user('a');
    const res = await fake.deliver(hook, [ev(fake.text(a, 'đường dây nóng 111 là gì'))]);
    expect(res).toMatchObject({ status: 200, attempts: 1 });
    const sent = await waitUntil(() => sends(a)[0]);
    expect(sent.via).toBe('reply');
    expect(sent.messages.length).toBeLessThanOrEqual(5);
    expect(sent.messages[0].text).toMatch(/111/);
    const items = sent.messages.at(-1).quickReply.items as Json[];
    expect(items.length).toBeGreaterThan(0);
    expect(items.length).toBeLessThanOrEqual(13);
    for (const { action } of items) {
      expect(action).toMatchObject({ type: 'postback', displayText: action.label });
      expect([...action.label].length).toBeLessThanOrEqual(20);
    }
    expect(items.some((i) => i.action.data === 'cmd:person')).toBe(true);
    expect(fake.rejected).toEqual([]);
    expect(fake.pushCount).toBe(0);
  });

  it('rejects a bad or missing signature and stores nothing', async () => {
    const hook = await start({}, { webhookRetries: 0 });
    const bad = user('bad');
    for (const opts of [{ badSignature: true }, { noSignature: true }]) {
      const res = await fake.deliver(hook, [ev(fake.text(bad, 'xin chào'))], opts);
      expect(res.status).toBe(401);
    }
    await settle();
    expect(await server.store.findConversation('line', bad)).toBeUndefined();
    expect(fake.server.requests).toEqual([]);
  });

  it('answers the same event once, even when three copies overlap', async () => {
    const hook = await start();
    const dup = user('dup');
    const event = ev(fake.text(dup, 'làm sao biết công việc ở nước ngoài là lừa đảo'));
    const results = await Promise.all([1, 2, 3].map(() => fake.deliver(hook, [event])));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    await waitUntil(() => sends(dup)[0]);
    await settle();
    const conversation = await server.store.findConversation('line', dup);
    const stored = await server.store.listMessages(conversation?.id as string);
    expect(stored.filter((m) => m.direction === 'in')).toHaveLength(1);
    // One answer: a single reply request, and no push copy of it.
    expect(sends(dup)).toHaveLength(1);
  });

  it('retries the reply through 5xx, a dropped connection and a 429 with Retry-After, once', async () => {
    const hook = await start();
    fake.server.failNext(2, { status: 503 }, REPLY);
    fake.server.failNext(1, { network: true }, REPLY);
    fake.server.failNext(1, { status: 429, retryAfterSeconds: 1 }, REPLY);
    const flaky = user('flaky');
    await fake.deliver(hook, [ev(fake.text(flaky, 'menu'))]);
    const sent = await waitUntil(() => sends(flaky)[0], 10_000);
    const attempts = fake.server.requests.filter((r) => r.path === REPLY);
    expect(attempts).toHaveLength(5);
    expect(sent.via).toBe('reply');
    // Retry-After: the attempt after the 429 waited at least the second it asked for.
    expect(sent.at - (attempts[3]?.at ?? 0)).toBeGreaterThanOrEqual(1000);
    await settle();
    expect(sends(flaky)).toHaveLength(1);
  });

  it('sends a pending answer after a restart, and only once', async () => {
    const hook = await start({ OUTBOX_RETRY_BASE_MS: '1500' });
    fake.server.failNext(1, { status: 502 }, REPLY);
    const r = user('restart');
    await fake.deliver(hook, [ev(fake.text(r, 'menu'))]);
    await waitUntil(() => (fake.server.requests.length ? true : undefined));
    server = await server.restart();
    expect(fake.sent).toEqual([]);
    const sent = await waitUntil(() => sends(r)[0], 10_000);
    expect(sent.via).toBe('reply'); // the token was still fresh
    await settle();
    expect(sends(r)).toHaveLength(1);
  });

  it('sends a long article (over 2000 characters) whole, within the 5000 limit, in the free reply', async () => {
    const hook = await start();
    const long = user('long');
    await fake.deliver(hook, [ev(fake.postback(long, 'more:debt-bondage'))]);
    const sent = await waitUntil(() => sends(long)[0]);
    await settle();
    // LINE allows 5000 characters: this article is not cut where Messenger's 2000 would cut it.
    expect(sends(long).map((s) => s.via)).toEqual(['reply']);
    const [text] = texts(long);
    expect(text?.length).toBeGreaterThan(2000);
    expect(text?.length).toBeLessThanOrEqual(5000);
    expect(text).toMatch(/[.!?…)]$/);
    expect(sent.messages.at(-1).quickReply.items.length).toBeGreaterThan(0);
    expect(fake.rejected).toEqual([]);
  });

  it('gives a kind answer to a sticker or an image, and greets a new follower with choices', async () => {
    const hook = await start();
    const media = user('media');
    await fake.deliver(hook, [ev(fake.sticker(media))]);
    await waitUntil(() => texts(media)[0]);
    expect(texts(media)[0]).toMatch(/chữ/);
    const photo = user('photo');
    await fake.deliver(hook, [ev(fake.image(photo))]);
    await waitUntil(() => texts(photo)[0]);
    expect(texts(photo)[0]).toMatch(/chữ/);
    const fresh = user('fresh');
    await fake.deliver(hook, [ev(fake.follow(fresh))]);
    const greeting = await waitUntil(() => sends(fresh)[0]);
    expect(greeting.messages.at(-1).quickReply.items.length).toBeGreaterThan(0);
  });

  it('lets a counsellor write after the reply token expired: a push, retried with one retry key', async () => {
    const hook = await start();
    const counsellor = await signedInCounsellor(server.store, 'lan');
    const api = consoleApi(server.url, counsellor.token);
    const help = user('help');
    await fake.deliver(hook, [ev(fake.text(help, 'tôi muốn nói chuyện với tư vấn viên'))]);
    expect((await waitUntil(() => sends(help)[0])).via).toBe('reply');
    const ticket = await pollQueue(api);
    expect((await api('POST', `/tickets/${ticket}/claim`)).status).toBe(200);

    // Long after the person wrote: the token is dead, so the counsellor's words are pushed.
    fake.expireReplyTokens();
    await server.handoff.counsellorTyping(ticket, counsellor);
    expect(fake.loadingStarts).toContainEqual({ chatId: help, loadingSeconds: 20 });
    fake.server.failNext(1, { status: 500 }, PUSH);
    fake.server.failNext(1, { network: true }, PUSH);
    const res = await api('POST', `/tickets/${ticket}/messages`, {
      text: 'Chào bạn, mình là Lan.',
    });
    expect(res.status).toBe(200);
    const isLan = (s: LineSend) => s.messages.some((m: Json) => m.text.includes('mình là Lan'));
    const pushed = await waitUntil(() => sends(help).find(isLan), 10_000);
    expect(pushed).toMatchObject({ via: 'push', to: help });
    const tries = fake.server.requests.filter(
      (r) => r.path === PUSH && r.raw.includes('mình là Lan'),
    );
    expect(tries).toHaveLength(3);
    expect(new Set(tries.map((t) => t.headers['x-line-retry-key'])).size).toBe(1);
    await settle();
    expect(sends(help).filter(isLan)).toHaveLength(1);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/sj_channel_sends_total\{channel="line",via="push"\} [1-9]/);
    expect(metrics).toMatch(/sj_channel_sends_total\{channel="line",via="reply"\} [1-9]/);
  });

  it('tells the counsellor at once when the monthly push allowance is used up', async () => {
    const hook = await start({}, { pushQuota: 0 });
    const counsellor = await signedInCounsellor(server.store, 'mai');
    const api = consoleApi(server.url, counsellor.token);
    const q = user('quota');
    await fake.deliver(hook, [ev(fake.text(q, 'tôi muốn nói chuyện với tư vấn viên'))]);
    await waitUntil(() => sends(q)[0]); // the reply is free
    const ticket = await pollQueue(api);
    await api('POST', `/tickets/${ticket}/claim`);
    fake.expireReplyTokens();
    await api('POST', `/tickets/${ticket}/messages`, { text: 'Bạn ơi?' });
    const reasons = await pollUntil(async () => {
      const view = await api('GET', `/tickets/${ticket}`);
      const list = view.body.undelivered.map((u: { reason: string }) => u.reason) as string[];
      return list.length ? list : undefined;
    });
    expect(reasons).toContain('rate_limited');
    expect(fake.pushCount).toBe(0);
  });

  it('marks a person who unfollowed and sends them nothing more', async () => {
    const hook = await start();
    const counsellor = await signedInCounsellor(server.store, 'hoa');
    const api = consoleApi(server.url, counsellor.token);
    const gone = user('gone');
    await fake.deliver(hook, [ev(fake.text(gone, 'tôi muốn nói chuyện với tư vấn viên'))]);
    await waitUntil(() => sends(gone)[0]);
    const ticket = await pollQueue(api);
    await api('POST', `/tickets/${ticket}/claim`);
    await settle();
    const before = sends(gone).length;

    await fake.deliver(hook, [fake.unfollow(gone)]);
    await pollUntil(async () => {
      const c = await server.store.findConversation('line', gone);
      return c?.context.unreachable ? c : undefined;
    });
    await api('POST', `/tickets/${ticket}/messages`, { text: 'Bạn còn đó không?' });
    const view = await pollUntil(async () => {
      const v = await api('GET', `/tickets/${ticket}`);
      return v.body.undelivered.length ? v : undefined;
    });
    expect(view.body.undelivered.map((u: { reason: string }) => u.reason)).toContain('blocked');
    expect(sends(gone)).toHaveLength(before);
  });

  it('stays silent in standby mode and in group chats, and stores nothing', async () => {
    const hook = await start();
    const standby = user('standby');
    const member = user('member');
    const inGroup = {
      ...fake.text(member, 'tôi bị giữ hộ chiếu'),
      source: { type: 'group', groupId: `C${'0'.repeat(32)}`, userId: member },
    };
    const res = await fake.deliver(hook, [
      { ...fake.text(standby, 'menu'), mode: 'standby' },
      inGroup,
    ]);
    expect(res.status).toBe(200);
    await settle();
    expect(fake.server.requests).toEqual([]);
    expect(await server.store.findConversation('line', standby)).toBeUndefined();
    expect(await server.store.findConversation('line', member)).toBeUndefined();
  });

  it('refuses to start with half a LINE configuration, naming what is missing', async () => {
    await expect(startTestServer({ LINE_CHANNEL_SECRET: 'x' })).rejects.toThrow(
      /LINE_CHANNEL_ACCESS_TOKEN/,
    );
  });
});

/** The adapter alone against the fake, for what the service cannot be made to provoke. */
describe('LINE adapter against the fake', () => {
  let fake: LineFake;
  let line: ReturnType<typeof createLineAdapter>;
  const settings = () => ({
    channelSecret: fake.channelSecret,
    channelAccessToken: fake.channelAccessToken,
    apiUrl: fake.url,
  });
  beforeEach(async () => {
    fake = await startLineFake();
    line = createLineAdapter(settings());
  });
  afterEach(async () => fake?.close());

  /** A send as the outbox makes it for the answer to `event`, its token `agoMs` old. */
  const answerTo = (event: Json, agoMs = 0) => ({
    key: `conv:${event.webhookEventId}:0`,
    human: false,
    first: true,
    hint: { replyToken: event.replyToken, receivedAt: new Date(Date.now() - agoMs).toISOString() },
  });
  const unit = () => line.render([{ text: 'Chào bạn.', choices: [] }])[0];

  it('pushes at once when the reply token turns out spent, and a repeated push is not a second copy', async () => {
    const u = user('spent');
    const context = answerTo(fake.text(u, 'xin chào'));
    fake.expireReplyTokens();
    expect(await line.send(u, unit(), context)).toEqual({ via: 'push' });
    expect(fake.rejected).toMatchObject([
      { path: REPLY, body: { message: 'Invalid reply token' } },
    ]);
    // The outbox retries when it never heard back: LINE answers 409 and nothing is sent twice.
    expect(await line.send(u, unit(), { ...context, first: false })).toEqual({ via: 'push' });
    expect(fake.sent).toMatchObject([{ via: 'push', to: u, messages: [{ text: 'Chào bạn.' }] }]);
    expect(fake.server.requests.at(-1)?.headers['x-line-retry-key']).toBe(fake.sent[0]?.retryKey);
  });

  it('does not try a reply token older than 50 seconds, and reports a bad access token as auth', async () => {
    const u = user('stale');
    const context = answerTo(fake.text(u, 'xin chào'), 55_000);
    expect(await line.send(u, unit(), context)).toEqual({ via: 'push' });
    expect(fake.server.requests.map((r) => r.path)).toEqual([PUSH]);
    const wrong = createLineAdapter({ ...settings(), channelAccessToken: 'not-the-token' });
    const error = await wrong.send(u, unit(), { ...context, key: 'k2' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlatformError);
    expect(error).toMatchObject({ channel: 'line', status: 401, reason: 'auth', retryable: false });
  });

  it('splits a very long answer into ≤5000-character messages, five to a request LINE accepts', async () => {
    const sentence = 'Người môi giới giữ hộ chiếu của bạn là dấu hiệu nguy hiểm. ';
    const text = sentence.repeat(520).trim(); // about 31,000 characters: seven messages
    const choices = [
      { label: 'Nói chuyện với tư vấn viên ngay bây giờ', payload: 'cmd:person' },
      { label: 'Quá dài', payload: `x:${'y'.repeat(400)}` }, // over LINE's 300-character data
    ];
    const units = line.render([{ text, choices }]) as Json[][];
    expect(units.map((u) => u.length)).toEqual([5, 2]);
    const u = user('split');
    for (const [i, unit] of units.entries()) {
      await line.send(u, unit, { key: `c:e:${i}`, human: false, first: i === 0 });
    }
    expect(fake.rejected).toEqual([]);
    const pieces = fake.sent.flatMap((s) => s.messages.map((m: Json) => m.text as string));
    for (const p of pieces) {
      expect(p.length).toBeLessThanOrEqual(5000);
      expect(p).toMatch(/nguy hiểm\.$/); // every cut falls between sentences
    }
    expect(pieces.join(' ')).toBe(text);
    const withQuick = fake.sent.flatMap((s) => s.messages).filter((m: Json) => m.quickReply);
    expect(withQuick).toHaveLength(1);
    const items = withQuick[0].quickReply.items as Json[];
    expect(items.map((i) => i.action.data)).toEqual(['cmd:person']);
    expect([...items[0].action.label]).toHaveLength(20);
    expect(items[0].action.label).toMatch(/^Nói chuyện.*…$/);
    expect(fake.sent.at(-1)?.messages.at(-1).quickReply).toBeDefined();
  });
});

function env(fake: LineFake, extra: Record<string, string>) {
  return {
    LINE_CHANNEL_SECRET: fake.channelSecret,
    LINE_CHANNEL_ACCESS_TOKEN: fake.channelAccessToken,
    LINE_API_URL: fake.url,
    OUTBOX_RETRY_BASE_MS: '50',
    OUTBOX_POLL_MS: '50',
    ...extra,
  };
}
