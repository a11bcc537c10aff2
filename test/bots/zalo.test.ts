import { afterEach, describe, expect, it } from 'vitest';
import { waitUntil } from '../fakes/fake-server.js';
import { startZaloFake, type ZaloFake, type ZaloFakeOptions } from '../fakes/zalo-fake.js';
import { consoleApi, signedInCounsellor } from '../support/counsellors.js';
import { pollQueue, pollUntil } from '../support/poll.js';
import { startTestServer, type TestServer } from '../support/server.js';

const DAY = 86_400_000;
const CS = '/v3.0/oa/message/cs';
const OAUTH = '/v4/oa/access_token';
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Zalo OA end to end: the fake signs webhooks, rotates tokens and checks every send like Zalo. */
describe('Zalo channel', () => {
  let fake: ZaloFake;
  let server: TestServer;
  let other: TestServer | undefined;
  let serverEnv: Record<string, string>;
  afterEach(async () => {
    await other?.stop();
    other = undefined;
    await server?.cleanup();
    await fake?.close();
  });

  async function start(extra: Record<string, string> = {}, options: ZaloFakeOptions = {}) {
    fake = await startZaloFake(options);
    serverEnv = env(fake, extra);
    server = await startTestServer(serverEnv);
    return `${server.url}/webhooks/zalo`;
  }

  const sentTo = (userId: string) => fake.sent.filter((s) => s.userId === userId);
  const texts = (userId: string) => sentTo(userId).map((s) => s.message.text as string);
  const answered = (userId: string, n = 1) =>
    waitUntil(() => (texts(userId).length >= n ? texts(userId) : undefined), 10_000);
  const csAttempts = () => fake.server.requests.filter((r) => r.path === CS).length;
  const conversation = (userId: string) => server.store.findConversation('zalo', userId);

  it('answers a signed message at Zalo, with "#"-payload buttons within the limits', async () => {
    const hook = await start();
    const res = await fake.deliver(hook, fake.text('u-hello', 'đường dây nóng 111 là gì'));
    expect(res).toMatchObject({ status: 200, attempts: 1 });
    const [sent] = await waitUntil(() =>
      sentTo('u-hello').length ? sentTo('u-hello') : undefined,
    );
    expect(sent?.message.text).toMatch(/111/);
    const buttons = sent?.message.attachment.payload.buttons as Record<string, string>[];
    expect(sent?.message.attachment.type).toBe('template');
    expect(buttons.length).toBeGreaterThan(0);
    expect(buttons.length).toBeLessThanOrEqual(5);
    for (const b of buttons) expect(b).toMatchObject({ type: 'oa.query.hide', payload: /^#/ });
    expect(buttons.some((b) => b.payload === '#cmd:person')).toBe(true);
    // The header `access_token` carried the token obtained with the configured refresh token.
    expect(sent?.accessToken).toBe(fake.tokens.accessToken);
    expect(fake.refreshCount).toBe(1);
    expect(fake.rejected).toEqual([]);
  });

  it('rejects a bad or missing signature and stores nothing', async () => {
    const hook = await start();
    for (const opts of [{ badSignature: true }, { noSignature: true }]) {
      const res = await fake.deliver(hook, fake.text('u-bad', 'xin chào'), opts);
      expect(res.status).toBe(401);
    }
    await pause(150);
    expect(await conversation('u-bad')).toBeUndefined();
    expect(fake.server.requests).toEqual([]);
  });

  it('ignores echoes, receipts and unknown events with a 200', async () => {
    const hook = await start();
    for (const event of [
      fake.echo('u-quiet', 'hi'),
      fake.received('u-quiet', 'm1'),
      fake.seen('u-quiet', ['m1']),
      { ...fake.text('u-quiet', 'x'), event_name: 'user_reacted_message' },
    ]) {
      expect((await fake.deliver(hook, event)).status).toBe(200);
    }
    await pause(200);
    expect(await conversation('u-quiet')).toBeUndefined();
    expect(fake.server.requests).toEqual([]);
  });

  it('answers the same delivery once, even when three copies overlap', async () => {
    const hook = await start();
    const event = fake.text('u-dup', 'làm sao biết công việc ở nước ngoài là lừa đảo');
    const results = await Promise.all([1, 2, 3].map(() => fake.deliver(hook, event)));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    await answered('u-dup');
    await pause(300);
    const stored = await server.store.listMessages((await conversation('u-dup'))?.id as string);
    expect(stored.filter((m) => m.direction === 'in')).toHaveLength(1);
    expect(texts('u-dup')).toHaveLength(stored.filter((m) => m.direction === 'out').length);
  });

  it('retries through a failed refresh, 5xx, a dropped connection and a 429, and sends once', async () => {
    const hook = await start();
    fake.server.failNext(1, { status: 503 }, OAUTH);
    fake.server.failNext(2, { status: 503 }, CS);
    fake.server.failNext(1, { network: true }, CS);
    fake.server.failNext(1, { status: 429, retryAfterSeconds: 1 }, CS);
    await fake.deliver(hook, fake.text('u-flaky', 'menu'));
    const sent = await waitUntil(() => sentTo('u-flaky')[0], 10_000);
    const attempts = fake.server.requests.filter((r) => r.path === CS);
    expect(attempts).toHaveLength(5);
    // Retry-After: the attempt after the 429 waited at least the second it asked for.
    expect(sent.at - (attempts[3]?.at ?? 0)).toBeGreaterThanOrEqual(1000);
    await pause(300);
    expect(texts('u-flaky')).toHaveLength(1);
    expect(fake.refreshCount).toBe(1);
  });

  it('sends a pending message after a restart, and only once', async () => {
    const hook = await start({ OUTBOX_RETRY_BASE_MS: '1500' });
    fake.server.failNext(1, { status: 502 }, CS);
    await fake.deliver(hook, fake.text('u-restart', 'menu'));
    await waitUntil(() => (csAttempts() ? true : undefined));
    server = await server.restart();
    expect(fake.sent).toEqual([]);
    await answered('u-restart');
    await pause(300);
    expect(texts('u-restart')).toHaveLength(1);
  });

  it('splits a long article within 2000 characters when its "#more:" button comes back', async () => {
    const hook = await start();
    // A pressed oa.query.hide button arrives as the person's text: the payload with its '#'.
    await fake.deliver(hook, fake.text('u-long', '#more:debt-bondage'));
    await answered('u-long', 2);
    await pause(200);
    const pieces = texts('u-long');
    for (const p of pieces) expect(p.length).toBeLessThanOrEqual(2000);
    expect(pieces.join('').length).toBeGreaterThan(2000);
    for (const [i, p] of pieces.slice(0, -1).entries()) {
      const next = pieces[i + 1] as string;
      expect(/[.!?…]$/.test(p) || /^(\p{Lu}|•|\d+\.)/u.test(next)).toBe(true);
    }
    // Only the last piece carries the buttons.
    const messages = sentTo('u-long').map((s) => s.message);
    expect(messages.at(-1)?.attachment.payload.buttons.length).toBeGreaterThan(0);
    expect(messages[0]?.attachment).toBeUndefined();
    expect(fake.rejected).toEqual([]);
  });

  it('lets a counsellor answer within 7 days and tells them clearly after', async () => {
    const hook = await start();
    const counsellor = await signedInCounsellor(server.store, 'lan');
    const api = consoleApi(server.url, counsellor.token);

    // Three days ago (a delayed delivery): still within Zalo's 7 days.
    const recent = fake.text('u-help', 'tôi muốn nói chuyện với tư vấn viên');
    recent.timestamp = String(Date.now() - 3 * DAY);
    await fake.deliver(hook, recent);
    const ticket = await pollQueue(api);
    expect((await api('POST', `/tickets/${ticket}/claim`)).status).toBe(200);
    const ok = await api('POST', `/tickets/${ticket}/messages`, { text: 'Chào bạn, mình là Lan.' });
    expect(ok.status).toBe(200);
    await waitUntil(() => fake.sent.find((s) => s.message.text.includes('mình là Lan')));

    // Eight days ago: Zalo refuses (-230); the counsellor is told before anything is stored.
    const late = fake.text('u-late', 'tôi muốn nói chuyện với tư vấn viên');
    late.timestamp = String(Date.now() - 8 * DAY);
    await fake.deliver(hook, late);
    const lateTicket = await pollQueue(api);
    expect((await api('POST', `/tickets/${lateTicket}/claim`)).status).toBe(200);
    const refused = await api('POST', `/tickets/${lateTicket}/messages`, { text: 'Bạn ơi?' });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/168 hours/);
    // The bot's own automatic answer was refused by Zalo: the counsellor sees why.
    const view = await pollUntil(async () => {
      const v = await api('GET', `/tickets/${lateTicket}`);
      return v.body.undelivered.length ? v : undefined;
    });
    expect(view.body.undelivered.map((u: { reason: string }) => u.reason)).toContain(
      'window_closed',
    );
    expect(fake.rejected.map((r) => r.error)).toContain(-230);
    expect(fake.sent.some((s) => s.message.text === 'Bạn ơi?')).toBe(false);
  });

  it('gives a kind answer to a sticker or photo and greets a new follower with buttons', async () => {
    const hook = await start();
    await fake.deliver(hook, fake.sticker('u-media'));
    await fake.deliver(hook, fake.image('u-media'));
    const [first, second] = await answered('u-media', 2);
    expect(first).toMatch(/chữ/);
    expect(second).toMatch(/chữ/);
    await fake.deliver(hook, fake.follow('u-new'));
    const [greeting] = await waitUntil(() =>
      sentTo('u-new').length ? sentTo('u-new') : undefined,
    );
    expect(greeting?.message.attachment.payload.buttons.length).toBeGreaterThan(0);
  });

  it('marks a person who unfollowed and sends them nothing more', async () => {
    const hook = await start();
    const counsellor = await signedInCounsellor(server.store, 'mai');
    const api = consoleApi(server.url, counsellor.token);
    await fake.deliver(hook, fake.text('u-gone', 'tôi muốn nói chuyện với tư vấn viên'));
    await answered('u-gone');
    await pause(300); // the whole answer is out before the unfollow
    const ticket = await pollQueue(api);
    await fake.deliver(hook, fake.unfollow('u-gone'));
    await pollUntil(async () =>
      (await conversation('u-gone'))?.context.unreachable ? 1 : undefined,
    );
    const before = csAttempts();
    expect((await api('POST', `/tickets/${ticket}/claim`)).status).toBe(200);
    expect((await api('POST', `/tickets/${ticket}/messages`, { text: 'Bạn ơi?' })).status).toBe(
      200,
    );
    const view = await pollUntil(async () => {
      const v = await api('GET', `/tickets/${ticket}`);
      return v.body.undelivered.length ? v : undefined;
    });
    expect(view.body.undelivered.map((u: { reason: string }) => u.reason)).toContain('blocked');
    // Not even tried: the person said they want no more messages.
    expect(csAttempts()).toBe(before);
  });

  it('marks a person unreachable when Zalo answers -213 (not a follower)', async () => {
    const hook = await start();
    // Zalo learned of the unfollow, our webhook did not (it was down).
    await fake.deliver('http://127.0.0.1:9/nowhere', fake.unfollow('u-213'));
    await fake.deliver(hook, fake.text('u-213', 'menu'));
    const c = await pollUntil(async () => {
      const found = await conversation('u-213');
      return found?.context.unreachable ? found : undefined;
    });
    expect(fake.rejected.map((r) => r.error)).toContain(-213);
    expect(await server.store.undelivered(c.id)).not.toEqual([]);
  });

  it('refreshes an expired token, keeps the new pair across a restart and never reuses the old one', async () => {
    const hook = await start();
    await fake.deliver(hook, fake.text('u-token', 'menu'));
    await answered('u-token', 1);
    fake.expireAccessToken();
    await fake.deliver(hook, fake.text('u-token', 'đường dây nóng 111 là gì'));
    await answered('u-token', 2);
    expect(fake.refreshCount).toBe(2);
    expect(fake.rejected.map((r) => r.error)).toEqual([-220]);

    server = await server.restart();
    // The stored access token is still good: no refresh with the (dead) configured token.
    await fake.deliver(hook, fake.text('u-token', 'menu'));
    await answered('u-token', 3);
    expect(fake.refreshCount).toBe(2);
    fake.expireAccessToken();
    await fake.deliver(hook, fake.text('u-token', 'menu'));
    await answered('u-token', 4);
    expect(fake.refreshCount).toBe(3);
    // Only the two expiries were refused; no refresh token was ever offered twice.
    expect(fake.rejected.map((r) => r.error)).toEqual([-220, -220]);
  });

  it('refreshes once for many sends at once, and before the token runs out', async () => {
    const hook = await start({}, { accessTokenTtlSeconds: 3 });
    await Promise.all(['u-a', 'u-b', 'u-c'].map((u) => fake.deliver(hook, fake.text(u, 'menu'))));
    await Promise.all(['u-a', 'u-b', 'u-c'].map((u) => answered(u)));
    expect(fake.refreshCount).toBe(1);
    // Less than 20 % of the 3 s lifetime left: refreshed ahead, never refused.
    await pause(2500);
    await fake.deliver(hook, fake.text('u-a', 'menu'));
    await answered('u-a', 2);
    expect(fake.refreshCount).toBe(2);
    expect(fake.rejected).toEqual([]);
  });

  it('shares one refresh between two instances on the same store', async () => {
    const hook = await start();
    other = await startTestServer(serverEnv, server.dataDir);
    await Promise.all([
      fake.deliver(hook, fake.text('u-one', 'menu')),
      fake.deliver(`${other.url}/webhooks/zalo`, fake.text('u-two', 'menu')),
    ]);
    await Promise.all([answered('u-one'), answered('u-two')]);
    expect(fake.refreshCount).toBe(1);
    expect(fake.rejected).toEqual([]);
  });

  it('shows a refused refresh to the counsellor as auth, and logs no secret', async () => {
    fake = await startZaloFake();
    const logs: string[] = [];
    const dead = 'refresh-token-that-was-already-used';
    const e = env(fake, { ZALO_REFRESH_TOKEN: dead, LOG_LEVEL: 'info' });
    server = await startTestServer(e, undefined, logs);
    await fake.deliver(`${server.url}/webhooks/zalo`, fake.text('u-auth', 'menu'));
    const c = await pollUntil(async () => {
      const found = await conversation('u-auth');
      return found && (await server.store.undelivered(found.id)).length ? found : undefined;
    });
    expect((await server.store.undelivered(c.id)).map((u) => u.error)).toContain('auth');
    expect(fake.sent).toEqual([]);
    expect(logs.some((l) => l.includes('"reason":"auth"'))).toBe(true);
    for (const secret of [dead, fake.appSecret, fake.oaSecretKey]) {
      expect(logs.join('\n')).not.toContain(secret);
    }
  });

  it('refuses to start with half a Zalo configuration, naming what is missing', async () => {
    await expect(
      startTestServer({ ZALO_APP_ID: '1', ZALO_APP_SECRET: 'x', ZALO_REFRESH_TOKEN: 'y' }),
    ).rejects.toThrow(/ZALO_OA_SECRET_KEY/);
  });
});

function env(fake: ZaloFake, extra: Record<string, string>) {
  return {
    ZALO_APP_ID: fake.appId,
    ZALO_APP_SECRET: fake.appSecret,
    ZALO_OA_SECRET_KEY: fake.oaSecretKey,
    ZALO_REFRESH_TOKEN: fake.tokens.refreshToken,
    ZALO_API_URL: fake.url,
    ZALO_OAUTH_URL: fake.url,
    OUTBOX_RETRY_BASE_MS: '50',
    OUTBOX_POLL_MS: '50',
    ...extra,
  };
}
