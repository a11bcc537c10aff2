import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  startZaloFake,
  ZALO_OAUTH_ERRORS,
  type ZaloFake,
  type ZaloFakeOptions,
} from './zalo-fake.js';

const DAY = 24 * 60 * 60 * 1000;
const USER = '2512523625412515';
let clock = Date.UTC(2026, 0, 10);
const open: { close(): Promise<void> }[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

async function fake(options: ZaloFakeOptions = {}): Promise<ZaloFake> {
  clock = Date.UTC(2026, 0, 10);
  const z = await startZaloFake({ now: () => clock, webhookRetryDelayMs: 5, ...options });
  open.push(z);
  return z;
}

/** A tiny webhook receiver: records the exact bytes and headers; `answer(n)` picks the status of call n. */
async function receiver(answer: (n: number) => number | Promise<number> = () => 200) {
  const got: { headers: IncomingHttpHeaders; raw: string }[] = [];
  const srv = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    got.push({ headers: req.headers, raw: Buffer.concat(chunks).toString('utf8') });
    const status = await answer(got.length);
    if (!res.destroyed) res.writeHead(status).end();
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}/zalo`;
  const handle = {
    url,
    got,
    close: () =>
      new Promise<void>((r) => {
        srv.closeAllConnections();
        srv.close(() => r());
      }),
  };
  open.push(handle);
  return handle;
}

async function send(z: ZaloFake, body: unknown, accessToken = z.tokens.accessToken) {
  const res = await fetch(`${z.url}/v3.0/oa/message/cs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', access_token: accessToken },
    body: JSON.stringify(body),
  });
  return {
    status: res.status,
    body: (await res.json()) as Record<string, unknown> & { error: number },
  };
}

const textTo = (text: string, userId = USER) => ({
  recipient: { user_id: userId },
  message: { text },
});

async function refresh(z: ZaloFake, refreshToken: string, secret = z.appSecret, json = false) {
  const fields = { refresh_token: refreshToken, app_id: z.appId, grant_type: 'refresh_token' };
  const res = await fetch(`${z.url}/v4/oa/access_token`, {
    method: 'POST',
    headers: {
      'content-type': json ? 'application/json' : 'application/x-www-form-urlencoded',
      secret_key: secret,
    },
    body: json ? JSON.stringify(fields) : new URLSearchParams(fields).toString(),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('zalo fake: webhook sender', () => {
  it('signs the exact raw body with plain SHA-256 over app_id + body + timestamp + OA secret', async () => {
    const z = await fake();
    const hook = await receiver();
    const event = z.text(USER, 'Tôi bị giữ hộ chiếu 🙏', 'msg-1');
    const out = await z.deliver(hook.url, event);
    expect(out).toMatchObject({ status: 200, attempts: 1 });
    const { raw, headers } = hook.got[0] ?? { raw: '', headers: {} };
    const parsed = JSON.parse(raw);
    expect(parsed).toMatchObject({
      event_name: 'user_send_text',
      sender: { id: USER },
      recipient: { id: z.oaId },
    });
    expect(parsed.message).toEqual({ msg_id: 'msg-1', text: 'Tôi bị giữ hộ chiếu 🙏' });
    expect(typeof parsed.timestamp).toBe('string');
    expect(parsed.app_id).toBe(z.appId);
    const mac = createHash('sha256')
      .update(parsed.app_id + raw + parsed.timestamp + z.oaSecretKey, 'utf8')
      .digest('hex');
    expect(headers['x-zevent-signature']).toBe(`mac=${mac}`);
    expect(headers.num_retry).toBeUndefined();
  });

  it('can sign with a wrong secret or omit the signature', async () => {
    const z = await fake();
    const hook = await receiver();
    await z.deliver(hook.url, z.text(USER, 'a'), { badSignature: true });
    await z.deliver(hook.url, z.text(USER, 'b'), { noSignature: true });
    const [bad, none] = hook.got;
    const body = JSON.parse(bad?.raw ?? '{}');
    const good = createHash('sha256')
      .update(body.app_id + bad?.raw + body.timestamp + z.oaSecretKey)
      .digest('hex');
    expect(bad?.headers['x-zevent-signature']).toMatch(/^mac=[0-9a-f]{64}$/);
    expect(bad?.headers['x-zevent-signature']).not.toBe(`mac=${good}`);
    expect(none?.headers['x-zevent-signature']).toBeUndefined();
  });

  it('retries the identical body with num_retry on a non-200, then stops at 200', async () => {
    const z = await fake();
    const hook = await receiver((n) => (n === 1 ? 500 : 200));
    const out = await z.deliver(hook.url, z.text(USER, 'xin chào'));
    expect(out).toMatchObject({ status: 200, attempts: 2 });
    expect(hook.got[1]?.raw).toBe(hook.got[0]?.raw);
    expect(hook.got[1]?.headers.num_retry).toBe('1');
    expect(hook.got[1]?.headers['x-zevent-signature']).toBe(
      hook.got[0]?.headers['x-zevent-signature'],
    );
  });

  it('treats a slow answer as a failure and gives up after webhookRetries', async () => {
    const z = await fake({ webhookTimeoutMs: 100, webhookRetries: 2 });
    const hook = await receiver(async () => {
      await new Promise((r) => setTimeout(r, 300));
      return 200;
    });
    const out = await z.deliver(hook.url, z.follow(USER));
    expect(out).toMatchObject({ status: 0, attempts: 3 });
    expect(hook.got.map((g) => g.headers.num_retry)).toEqual([undefined, '1', '2']);
  });

  it('retries when the connection is refused and reports status 0', async () => {
    const z = await fake({ webhookRetries: 1 });
    const hook = await receiver();
    await hook.close(); // nothing listens on this port any more
    expect(await z.deliver(hook.url, z.text(USER, 'x'))).toMatchObject({ status: 0, attempts: 2 });
  });

  it('can put oa_id first in the MAC (macFirstId)', async () => {
    const z = await fake({ macFirstId: 'oa_id' });
    const hook = await receiver();
    await z.deliver(hook.url, z.text(USER, 'x'));
    const { raw, headers } = hook.got[0] ?? { raw: '', headers: {} };
    const mac = createHash('sha256')
      .update(z.oaId + raw + JSON.parse(raw).timestamp + z.oaSecretKey)
      .digest('hex');
    expect(headers['x-zevent-signature']).toBe(`mac=${mac}`);
  });

  it('does not retry a non-200 when retryOnNon200 is off', async () => {
    const z = await fake({ retryOnNon200: false });
    const hook = await receiver(() => 503);
    expect(await z.deliver(hook.url, z.text(USER, 'x'))).toMatchObject({
      status: 503,
      attempts: 1,
    });
  });

  it('builds follow events with follower and source, and echoes with the OA as sender', async () => {
    const z = await fake();
    expect(z.follow(USER)).toMatchObject({
      follower: { id: USER },
      oa_id: z.oaId,
      source: 'oa_profile',
    });
    expect(z.follow(USER).sender).toBeUndefined();
    expect(z.echo(USER, 'hi')).toMatchObject({
      event_name: 'oa_send_text',
      sender: { id: z.oaId },
      recipient: { id: USER },
    });
    expect(z.image(USER).message.attachments[0]).toMatchObject({ type: 'image' });
  });
});

describe('zalo fake: /v3.0/oa/message/cs', () => {
  it('answers HTTP 200 with -216 for an unknown token and -220 once expired', async () => {
    const z = await fake();
    await z.deliver((await receiver()).url, z.text(USER, 'hi'));
    expect((await send(z, textTo('a'), 'nope')).body).toMatchObject({ error: -216 });
    expect(await send(z, textTo('a'))).toMatchObject({ status: 200, body: { error: 0 } });
    z.expireAccessToken();
    const expired = await send(z, textTo('a'));
    expect(expired).toMatchObject({ status: 200, body: { error: -220 } });
    expect(z.rejected.map((r) => r.error)).toEqual([-216, -220]);
  });

  it('expires the access token after its TTL', async () => {
    const z = await fake({ accessTokenTtlSeconds: 60 });
    z.setLastInteraction(USER, clock);
    expect((await send(z, textTo('a'))).body.error).toBe(0);
    clock += 61_000;
    expect((await send(z, textTo('a'))).body.error).toBe(-220);
  });

  it('enforces the 7-day window from the last user event', async () => {
    const z = await fake({ accessTokenTtlSeconds: 30 * 86_400 }); // keep the token alive across the jump
    const hook = await receiver();
    expect((await send(z, textTo('a'))).body).toMatchObject({
      error: -230,
      message: 'User has not interacted with the OA in the past 7 days',
    });
    await z.deliver(hook.url, z.text(USER, 'hi'));
    const ok = await send(z, textTo('Chào bạn'));
    expect(ok.body).toMatchObject({ error: 0, message: 'Success', data: { user_id: USER } });
    expect(typeof (ok.body.data as { message_id: unknown }).message_id).toBe('string');
    expect(z.sent).toMatchObject([
      { userId: USER, message: { text: 'Chào bạn' }, accessToken: z.tokens.accessToken },
    ]);
    clock += 7 * DAY - 1;
    expect((await send(z, textTo('b'))).body.error).toBe(0);
    clock += 2;
    expect((await send(z, textTo('b'))).body.error).toBe(-230);
    z.setLastInteraction(USER, clock - 6 * DAY);
    expect((await send(z, textTo('b'))).body.error).toBe(0);
    z.setLastInteraction(USER, clock - 8 * DAY);
    expect((await send(z, textTo('c'))).body.error).toBe(-230);
    await z.deliver(hook.url, z.seen(USER, ['m1'])); // a status event is not an interaction
    expect((await send(z, textTo('d'))).body.error).toBe(-230);
  });

  it('rejects over-long text, missing recipient and too many or too long buttons with -201', async () => {
    const z = await fake();
    z.setLastInteraction(USER, clock);
    expect((await send(z, textTo('ư'.repeat(2000)))).body.error).toBe(0);
    const long = await send(z, textTo('ư'.repeat(2001)));
    expect(long.body).toMatchObject({ error: -201 });
    expect(long.body.message).toContain('message.text');
    expect((await send(z, { message: { text: 'x' } })).body).toMatchObject({
      error: -201,
      message: expect.stringContaining('recipient.user_id'),
    });
    const withButtons = (n: number, title = 'Gặp nhân viên') => ({
      recipient: { user_id: USER },
      message: {
        text: 'Bạn cần gì?',
        attachment: {
          type: 'template',
          payload: {
            buttons: Array.from({ length: n }, () => ({
              title,
              type: 'oa.query.hide',
              payload: '#agent',
            })),
          },
        },
      },
    });
    expect((await send(z, withButtons(5))).body.error).toBe(0);
    expect((await send(z, withButtons(6))).body).toMatchObject({
      error: -201,
      message: expect.stringContaining('buttons'),
    });
    expect((await send(z, withButtons(1, 'x'.repeat(101)))).body).toMatchObject({
      error: -201,
      message: expect.stringContaining('title'),
    });
    expect(z.sent).toHaveLength(2);
  });

  it('blocks sends after unfollow (-213) until the user follows again', async () => {
    const z = await fake();
    const hook = await receiver();
    await z.deliver(hook.url, z.text(USER, 'hi'));
    await z.deliver(hook.url, z.unfollow(USER));
    expect((await send(z, textTo('a'))).body).toMatchObject({ error: -213 });
    await z.deliver(hook.url, z.follow(USER));
    expect((await send(z, textTo('a'))).body.error).toBe(0);
  });

  it('lets unfollowed users through when unfollowBlocks is off', async () => {
    const z = await fake({ unfollowBlocks: false });
    await z.deliver((await receiver()).url, z.unfollow(USER));
    z.setLastInteraction(USER, clock);
    expect((await send(z, textTo('a'))).body.error).toBe(0);
  });

  it('honours failNext before its own checks', async () => {
    const z = await fake();
    z.setLastInteraction(USER, clock);
    z.server.failNext(1, { status: 503 }, '/v3.0/');
    expect((await send(z, textTo('a'))).status).toBe(503);
    expect((await send(z, textTo('a'))).body.error).toBe(0);
  });
});

describe('zalo fake: /v4/oa/access_token', () => {
  it('rotates the pair: expires_in is a string, the old access token dies, refresh tokens are single-use', async () => {
    const z = await fake();
    z.setLastInteraction(USER, clock);
    const old = z.tokens;
    const res = await refresh(z, old.refreshToken);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      access_token: z.tokens.accessToken,
      refresh_token: z.tokens.refreshToken,
      expires_in: '90000',
    });
    expect(z.tokens.accessToken).not.toBe(old.accessToken);
    expect(z.refreshCount).toBe(1);
    expect((await send(z, textTo('a'), old.accessToken)).body.error).toBe(-216);
    expect((await send(z, textTo('a'))).body.error).toBe(0);
    const reuse = await refresh(z, old.refreshToken);
    expect(reuse.body).toMatchObject({
      error: ZALO_OAUTH_ERRORS.invalidRefreshToken,
      error_name: expect.any(String),
    });
    expect(z.refreshCount).toBe(1);
  });

  it('requires the secret_key header and a form body', async () => {
    const z = await fake();
    const wrong = await refresh(z, z.tokens.refreshToken, 'not-the-secret');
    expect(wrong).toMatchObject({ status: 200, body: { error: ZALO_OAUTH_ERRORS.invalidSecret } });
    expect(wrong.body.error_description).toEqual(expect.any(String));
    const asJson = await refresh(z, z.tokens.refreshToken, z.appSecret, true);
    expect(asJson.body.error).toBe(ZALO_OAUTH_ERRORS.invalidParameter);
    // The OA secret key is not the app secret.
    expect((await refresh(z, z.tokens.refreshToken, z.oaSecretKey)).body.error).toBeLessThan(0);
    expect(z.refreshCount).toBe(0);
  });
});
