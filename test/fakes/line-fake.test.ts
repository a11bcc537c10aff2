import { createHmac, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HTTPFetchError, messagingApi, middleware } from '@line/bot-sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { type LineFake, type LineFakeOptions, startLineFake } from './line-fake.js';

const USER = `U${'4af4980629'.padEnd(32, 'a')}`;
const AUTH_FAILED =
  'Authentication failed. Confirm that the access token in the authorization header is valid.';

let open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.map((o) => o.close()));
  open = [];
});

async function fake(
  options?: LineFakeOptions,
): Promise<{ line: LineFake; client: messagingApi.MessagingApiClient }> {
  const line = await startLineFake(options);
  open.push(line);
  const client = new messagingApi.MessagingApiClient({
    channelAccessToken: line.channelAccessToken,
    baseURL: line.url,
  });
  return { line, client };
}

// biome-ignore lint/suspicious/noExplicitAny: webhook and error bodies are inspected loosely.
type Json = any;
type Hit = { raw: string; headers: IncomingMessage['headers']; body: Json };
type Reply = number | 'drop';

/** A tiny webhook receiver answering with the scripted statuses (then 200); 'drop' kills the socket. */
async function receiver(script: Reply[] = []): Promise<{ url: string; hits: Hit[] }> {
  const hits: Hit[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    hits.push({ raw, headers: req.headers, body: JSON.parse(raw) });
    const next = script.shift() ?? 200;
    if (next === 'drop') req.socket.destroy();
    else res.writeHead(next).end();
  });
  return listen(server, hits);
}

/** A receiver guarded by the real SDK middleware: 401 when it rejects the signature. */
async function sdkReceiver(channelSecret: string): Promise<{ url: string; hits: Hit[] }> {
  const hits: Hit[] = [];
  const mw = middleware({ channelSecret }) as unknown as (
    req: IncomingMessage & { body?: Json },
    res: ServerResponse,
    next: (err?: unknown) => void,
  ) => void;
  const server = createServer((req: IncomingMessage & { body?: Json }, res) => {
    mw(req, res, (err) => {
      if (err) return void res.writeHead(401).end();
      hits.push({ raw: '', headers: req.headers, body: req.body });
      res.writeHead(200).end();
    });
  });
  return listen(server, hits);
}

async function listen(server: ReturnType<typeof createServer>, hits: Hit[]) {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  open.push({
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`, hits };
}

/** Calls the SDK and returns the HTTP error it threw (fails the test if it did not throw). */
async function sdkError(
  call: Promise<unknown>,
): Promise<{ status: number; body: Json; headers: Headers }> {
  const err = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HTTPFetchError);
  const e = err as HTTPFetchError;
  return { status: e.status, body: JSON.parse(e.body), headers: e.headers };
}

const text = (t: string): messagingApi.TextMessage => ({ type: 'text', text: t });
const quick = (n: number, label = 'Có'): messagingApi.QuickReply => ({
  items: Array.from({ length: n }, () => ({
    type: 'action',
    action: { type: 'message', label, text: label },
  })),
});

describe('LINE fake: webhooks', () => {
  it('signs the exact bytes with base64 HMAC-SHA256 and builds §3.4 events', async () => {
    const { line } = await fake();
    const hook = await receiver();
    const ev = line.text(USER, 'Tôi bị giữ hộ chiếu ở Đài Loan 😢 ช่วยด้วย');
    const out = await line.deliver(hook.url, [
      ev,
      line.postback(USER, 'menu=help'),
      line.unfollow(USER),
    ]);
    expect(out).toMatchObject({ status: 200, attempts: 1 });
    const [hit] = hook.hits;
    const expected = createHmac('sha256', line.channelSecret)
      .update(hit?.raw ?? '')
      .digest('base64');
    expect(hit?.headers['x-line-signature']).toBe(expected);
    expect(hit?.body.destination).toMatch(/^U[0-9a-f]{32}$/);
    const [msg, pb, unf] = hit?.body.events ?? [];
    expect(msg).toMatchObject({
      type: 'message',
      mode: 'active',
      source: { type: 'user', userId: USER },
      deliveryContext: { isRedelivery: false },
      message: { type: 'text', text: 'Tôi bị giữ hộ chiếu ở Đài Loan 😢 ช่วยด้วย' },
    });
    expect(msg.webhookEventId).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(msg.replyToken).toMatch(/^[0-9a-f]{32}$/);
    expect(msg.message.quoteToken).toBeTruthy();
    expect(pb).toMatchObject({ type: 'postback', postback: { data: 'menu=help' } });
    expect(pb.replyToken).not.toBe(msg.replyToken);
    expect(unf.replyToken).toBeUndefined();
  });

  it('passes the real SDK middleware; bad or missing signatures are refused and retried', async () => {
    const { line } = await fake({ webhookRetryDelayMs: 1 });
    const hook = await sdkReceiver(line.channelSecret);
    const events = [line.follow(USER), line.sticker(USER), line.image(USER), line.location(USER)];
    expect((await line.deliver(hook.url, events)).status).toBe(200);
    expect(hook.hits[0]?.body.events.map((e: Json) => e.type)).toEqual([
      'follow',
      'message',
      'message',
      'message',
    ]);
    expect(await line.deliver(hook.url, events, { badSignature: true })).toMatchObject({
      status: 401,
      attempts: 3,
    });
    expect(await line.deliver(hook.url, events, { noSignature: true })).toMatchObject({
      status: 401,
      attempts: 3,
    });
    expect(hook.hits).toHaveLength(1);
  });

  it('sends the empty-events "Verify" ping', async () => {
    const { line } = await fake();
    const hook = await receiver();
    expect((await line.deliver(hook.url, [])).status).toBe(200);
    expect(hook.hits[0]?.body).toEqual({ destination: line.destination, events: [] });
  });

  it('redelivers failed events with isRedelivery and the same webhookEventId, re-signed', async () => {
    const { line } = await fake({ webhookRetries: 2, webhookRetryDelayMs: 1 });
    const hook = await receiver([500, 'drop']);
    const ev = line.text(USER, 'xin chào');
    expect(await line.deliver(hook.url, [ev])).toMatchObject({ status: 200, attempts: 3 });
    const flags = hook.hits.map((h) => h.body.events[0].deliveryContext.isRedelivery);
    expect(flags).toEqual([false, true, true]);
    for (const h of hook.hits) {
      expect(h.body.events[0].webhookEventId).toBe(ev.webhookEventId);
      const sig = createHmac('sha256', line.channelSecret).update(h.raw).digest('base64');
      expect(h.headers['x-line-signature']).toBe(sig);
    }
    const give = await receiver([503, 503, 503, 503]);
    expect(await line.deliver(give.url, [ev])).toMatchObject({ status: 503, attempts: 3 });
  });
});

describe('LINE fake: reply', () => {
  it('accepts a reply once, then answers 400 Invalid reply token', async () => {
    const { line, client } = await fake();
    const { replyToken } = line.text(USER, 'hi');
    const res = await client.replyMessage({ replyToken, messages: [text('Chào bạn')] });
    expect(res.sentMessages).toHaveLength(1);
    expect(res.sentMessages[0]?.id).toMatch(/^\d+$/);
    expect(line.sent).toMatchObject([{ via: 'reply', replyToken, messages: [text('Chào bạn')] }]);
    const again = await sdkError(client.replyMessage({ replyToken, messages: [text('again')] }));
    expect(again).toMatchObject({ status: 400, body: { message: 'Invalid reply token' } });
    const unknown = await sdkError(
      client.replyMessage({ replyToken: 'nope', messages: [text('x')] }),
    );
    expect(unknown.body.message).toBe('Invalid reply token');
    expect(line.sent).toHaveLength(1);
    expect(line.pushCount).toBe(0);
  });

  it('expires tokens after the TTL and on expireReplyTokens()', async () => {
    const { line, client } = await fake({ replyTokenTtlMs: 40 });
    const fresh = line.text(USER, 'a').replyToken;
    await new Promise((r) => setTimeout(r, 80));
    expect(
      (await sdkError(client.replyMessage({ replyToken: fresh, messages: [text('x')] }))).status,
    ).toBe(400);
    const { line: l2, client: c2 } = await fake();
    const t = l2.postback(USER, 'x').replyToken;
    l2.expireReplyTokens();
    const err = await sdkError(c2.replyMessage({ replyToken: t, messages: [text('x')] }));
    expect(err.body.message).toBe('Invalid reply token');
  });

  it('rejects a bad body without consuming the token', async () => {
    const { line, client } = await fake();
    const { replyToken } = line.text(USER, 'hi');
    const six = Array.from({ length: 6 }, () => text('x'));
    const err = await sdkError(client.replyMessage({ replyToken, messages: six }));
    expect(err.status).toBe(400);
    expect(err.body.details).toEqual([{ message: expect.any(String), property: 'messages' }]);
    expect(
      (await sdkError(client.replyMessage({ replyToken, messages: [] }))).body.details[0].property,
    ).toBe('messages');
    expect(
      (await client.replyMessage({ replyToken, messages: [text('ok')] })).sentMessages,
    ).toHaveLength(1);
  });
});

describe('LINE fake: limits and auth', () => {
  it('401s a wrong Bearer token with the platform message', async () => {
    const { line } = await fake();
    const bad = new messagingApi.MessagingApiClient({
      channelAccessToken: 'wrong',
      baseURL: line.url,
    });
    const err = await sdkError(bad.pushMessage({ to: USER, messages: [text('x')] }));
    expect(err).toMatchObject({ status: 401, body: { message: AUTH_FAILED } });
    const raw = await fetch(`${line.url}/v2/bot/chat/loading/start`, {
      method: 'POST',
      body: '{}',
    });
    expect(raw.status).toBe(401);
    expect(line.rejected.map((r) => r.status)).toEqual([401, 401]);
  });

  it('enforces text ≤ 5000, quick reply ≤ 13 items and the label limit', async () => {
    const { line, client } = await fake();
    const long = await sdkError(
      client.pushMessage({ to: USER, messages: [text('ok'), text('ả'.repeat(5001))] }),
    );
    expect(long.status).toBe(400);
    expect(long.body.details).toEqual([
      { message: expect.any(String), property: 'messages[1].text' },
    ]);
    await client.pushMessage({ to: USER, messages: [text('ả'.repeat(5000))] });
    const many = await sdkError(
      client.pushMessage({ to: USER, messages: [{ ...text('q'), quickReply: quick(14) }] }),
    );
    expect(many.body.details[0].property).toBe('messages[0].quickReply.items');
    await client.pushMessage({ to: USER, messages: [{ ...text('q'), quickReply: quick(13) }] });
    const label = await sdkError(
      client.pushMessage({
        to: USER,
        messages: [{ ...text('q'), quickReply: quick(1, 'x'.repeat(21)) }],
      }),
    );
    expect(label.body.details[0].property).toBe('messages[0].quickReply.items[0].action.label');
    expect(line.sent).toHaveLength(2);
    const { client: wide } = await fake({ labelLimit: 30 });
    await wide.pushMessage({
      to: USER,
      messages: [{ ...text('q'), quickReply: quick(1, 'x'.repeat(21)) }],
    });
  });
});

describe('LINE fake: push', () => {
  it('requires `to`, records the retry key and 409s an accepted duplicate', async () => {
    const { line, client } = await fake();
    const noTo = await sdkError(
      client.pushMessage({ messages: [text('x')] } as messagingApi.PushMessageRequest),
    );
    expect(noTo.body.details[0].property).toBe('to');
    const key = randomUUID();
    const first = await client.pushMessageWithHttpInfo({ to: USER, messages: [text('một')] }, key);
    expect(line.server.requests.at(-1)?.headers['x-line-retry-key']).toBe(key);
    const dup = await sdkError(client.pushMessage({ to: USER, messages: [text('một')] }, key));
    expect(dup).toMatchObject({
      status: 409,
      body: { message: 'The retry key is already accepted' },
    });
    expect(dup.headers.get('x-line-accepted-request-id')).toBe(
      first.httpResponse.headers.get('x-line-request-id'),
    );
    expect(line.sent).toMatchObject([{ via: 'push', to: USER, retryKey: key }]);
    expect(line.pushCount).toBe(1);
  });

  it('does not accept a key whose request was rejected', async () => {
    const { line, client } = await fake();
    const key = randomUUID();
    await sdkError(client.pushMessage({ to: USER, messages: [] }, key));
    await client.pushMessage({ to: USER, messages: [text('ok')] }, key);
    expect(line.sent).toHaveLength(1);
  });

  it('counts pushed messages against the quota; replies are free', async () => {
    const { line, client } = await fake({ pushQuota: 3 });
    await client.pushMessage({ to: USER, messages: [text('1'), text('2')] });
    await client.replyMessage({
      replyToken: line.text(USER, 'x').replyToken,
      messages: [text('r')],
    });
    const over = await sdkError(client.pushMessage({ to: USER, messages: [text('3'), text('4')] }));
    expect(over).toMatchObject({
      status: 429,
      body: { message: 'You have reached your monthly limit.' },
    });
    expect(line.pushCount).toBe(2);
    await client.pushMessage({ to: USER, messages: [text('3')] });
    expect(line.pushCount).toBe(3);
  });

  it('honours failNext: injected 429 and dropped connections send nothing', async () => {
    const { line, client } = await fake();
    line.server.failNext(1, { status: 429, retryAfterSeconds: 1 }, '/v2/bot/message/push');
    const limited = await sdkError(client.pushMessage({ to: USER, messages: [text('x')] }));
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    line.server.failNext(1, { network: true });
    await expect(client.pushMessage({ to: USER, messages: [text('x')] })).rejects.toThrow();
    expect(line.sent).toHaveLength(0);
    await client.pushMessage({ to: USER, messages: [text('x')] });
    expect(line.sent).toHaveLength(1);
  });
});

describe('LINE fake: loading animation', () => {
  it('returns 202 for a user id and 5..60 in steps of 5; 400 otherwise', async () => {
    const { line, client } = await fake();
    const ok = await client.showLoadingAnimationWithHttpInfo({ chatId: USER, loadingSeconds: 5 });
    expect(ok.httpResponse.status).toBe(202);
    expect(ok.body).toEqual({});
    await client.showLoadingAnimation({ chatId: USER, loadingSeconds: 60 });
    for (const [chatId, loadingSeconds, property] of [
      [USER, 7, 'loadingSeconds'],
      [USER, 65, 'loadingSeconds'],
      [USER, 0, 'loadingSeconds'],
      [`C${'1'.repeat(32)}`, 20, 'chatId'],
    ] as const) {
      const err = await sdkError(client.showLoadingAnimation({ chatId, loadingSeconds }));
      expect(err.status).toBe(400);
      expect(err.body.details[0].property).toBe(property);
    }
    expect(line.loadingStarts).toEqual([
      { chatId: USER, loadingSeconds: 5 },
      { chatId: USER, loadingSeconds: 60 },
    ]);
  });
});
