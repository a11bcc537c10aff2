import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { waitUntil } from './fake-server.js';
import { type MessengerFake, startMessengerFake } from './messenger-fake.js';

// biome-ignore lint/suspicious/noExplicitAny: the tests inspect arbitrary JSON
type Json = any;

interface Hit {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  raw: Buffer;
}

/** A tiny webhook receiver: records every hit; `reply` decides the answer (default 200). */
async function startReceiver(
  reply: (hit: Hit, n: number, res: ServerResponse) => void = (_h, _n, res) => res.end('ok'),
) {
  const hits: Hit[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const hit = {
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      raw: Buffer.concat(chunks),
    };
    hits.push(hit);
    reply(hit, hits.length, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`;
  return {
    url,
    hits,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});
async function setup(options: Parameters<typeof startMessengerFake>[0] = {}) {
  const fake = await startMessengerFake({ webhookRetryDelayMs: 5, ...options });
  closers.push(() => fake.close());
  return fake;
}
async function receiver(reply?: Parameters<typeof startReceiver>[0]) {
  const r = await startReceiver(reply);
  closers.push(r.close);
  return r;
}

/** Calls the fake Send API the way the bot would. */
async function send(fake: MessengerFake, body: object, token = fake.pageAccessToken) {
  const res = await fetch(`${fake.url}/${fake.graphVersion}/me/messages?access_token=${token}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Json };
}
const reply = (psid: string, message: object, extra: object = {}) => ({
  recipient: { id: psid },
  messaging_type: 'RESPONSE',
  message,
  ...extra,
});
const expectGraphError = (r: { status: number; json: Json }, code: number, subcode?: number) => {
  expect(r.status).toBe(400);
  expect(r.json.error).toMatchObject({
    type: 'OAuthException',
    code,
    fbtrace_id: expect.any(String),
  });
  expect(r.json.error.error_subcode).toBe(subcode);
};

describe('messenger fake: webhook side', () => {
  it('runs the GET handshake and reports a 403 for a wrong token', async () => {
    const fake = await setup();
    const bot = await receiver((hit, _n, res) => {
      const q = new URL(hit.url, 'http://x').searchParams;
      const ok =
        q.get('hub.mode') === 'subscribe' && q.get('hub.verify_token') === fake.verifyToken;
      res.writeHead(ok ? 200 : 403).end(ok ? (q.get('hub.challenge') ?? '') : 'no');
    });
    expect(await fake.verify(bot.url, undefined, '1158201444')).toEqual({
      status: 200,
      body: '1158201444',
    });
    expect((await fake.verify(bot.url, 'wrong')).status).toBe(403);
  });

  it('signs the exact bytes, escapes non-ASCII as \\uXXXX and splits entries', async () => {
    const fake = await setup();
    const bot = await receiver();
    const text = 'Xin chào, tôi cần giúp đỡ 🆘';
    const events = [
      fake.text('psid-1', text),
      fake.postback('psid-1', 'GET_STARTED'),
      fake.echo('psid-1', 'hi'),
    ];
    const out = await fake.deliver(bot.url, events, { entries: 2 });
    expect(out).toMatchObject({ status: 200, attempts: 1 });
    const hit = bot.hits[0] as Hit;
    const raw = hit.raw.toString('utf8');
    expect(/^[\x20-\x7e]*$/.test(raw)).toBe(true); // pure ASCII on the wire
    expect(raw).toContain('Xin ch\\u00e0o');
    expect(raw).toContain('\\ud83c\\udd98');
    const expected = createHmac('sha256', fake.appSecret).update(hit.raw).digest('hex');
    expect(hit.headers['x-hub-signature-256']).toBe(`sha256=${expected}`);
    const body = JSON.parse(raw);
    expect(body.object).toBe('page');
    expect(body.entry).toHaveLength(2);
    expect(body.entry[0]).toMatchObject({ id: fake.pageId, time: expect.any(Number) });
    const all = body.entry.flatMap((e: { messaging: unknown[] }) => e.messaging);
    expect(all[0].message.text).toBe(text);
    expect(all[1].postback).toMatchObject({
      mid: expect.stringMatching(/^m_/),
      payload: 'GET_STARTED',
    });
    expect(all[2]).toMatchObject({ sender: { id: fake.pageId }, recipient: { id: 'psid-1' } });
    expect(all[2].message.is_echo).toBe(true);
  });

  it('signs with a wrong secret or omits the header on request', async () => {
    const fake = await setup();
    const bot = await receiver();
    await fake.deliver(bot.url, [fake.text('p', 'a')], { badSignature: true });
    await fake.deliver(bot.url, [fake.text('p', 'b')], { noSignature: true });
    const [bad, none] = bot.hits as [Hit, Hit];
    const good = createHmac('sha256', fake.appSecret).update(bad.raw).digest('hex');
    expect(bad.headers['x-hub-signature-256']).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(bad.headers['x-hub-signature-256']).not.toBe(`sha256=${good}`);
    expect(none.headers['x-hub-signature-256']).toBeUndefined();
  });

  it('retries the same bytes on non-2xx and network errors, then gives up', async () => {
    const fake = await setup({ webhookRetries: 2 });
    const flaky = await receiver((_h, n, res) => {
      if (n === 1) res.socket?.destroy();
      else res.writeHead(n === 2 ? 500 : 200).end();
    });
    expect(await fake.deliver(flaky.url, [fake.text('p', 'hello')])).toMatchObject({
      status: 200,
      attempts: 3,
    });
    expect(new Set(flaky.hits.map((h) => h.raw.toString())).size).toBe(1);
    const down = await receiver((_h, _n, res) => res.writeHead(503).end());
    expect(await fake.deliver(down.url, [fake.text('p', 'x')])).toMatchObject({
      status: 503,
      attempts: 3,
    });
  });

  it('gives up on a slow bot after webhookTimeoutMs', async () => {
    const fake = await setup({ webhookTimeoutMs: 100, webhookRetries: 0 });
    const slow = await receiver((_h, _n, res) => setTimeout(() => res.end(), 500));
    expect(await fake.deliver(slow.url, [fake.text('p', 'x')])).toMatchObject({
      status: 0,
      attempts: 1,
    });
  });

  it('builds realistic attachment and quick-reply events', async () => {
    const fake = await setup();
    const sticker = fake.attachment('p', 'sticker') as Json;
    expect(sticker.message.attachments[0]).toMatchObject({
      type: 'image',
      payload: { sticker_id: 369239263222822 },
    });
    const loc = fake.attachment('p', 'location') as Json;
    expect(loc.message.attachments[0].payload.coordinates).toMatchObject({
      lat: expect.any(Number),
    });
    const qr = fake.quickReply('p', 'Có', 'YES', 'm_fixed') as Json;
    expect(qr.message).toEqual({ mid: 'm_fixed', text: 'Có', quick_reply: { payload: 'YES' } });
  });
});

describe('messenger fake: Send API', () => {
  it('accepts a valid reply inside the window and records it', async () => {
    const fake = await setup();
    const bot = await receiver();
    await fake.deliver(bot.url, [fake.text('u1', 'hi')]);
    const r = await send(fake, reply('u1', { text: 'Chào bạn' }));
    expect(r).toEqual({ status: 200, json: { recipient_id: 'u1', message_id: 'm_1' } });
    expect(fake.sent).toMatchObject([{ psid: 'u1', body: { message: { text: 'Chào bạn' } } }]);
  });

  it('rejects a bad token with 190 and a missing messaging_type with 100', async () => {
    const fake = await setup();
    fake.setLastUserMessage('u1', Date.now());
    expectGraphError(await send(fake, reply('u1', { text: 'x' }), 'nope'), 190);
    expectGraphError(await send(fake, { recipient: { id: 'u1' }, message: { text: 'x' } }), 100);
    expectGraphError(
      await send(fake, reply('u1', { text: 'x' }, { messaging_type: 'MESSAGE_TAG' })),
      100,
    );
    expectGraphError(await send(fake, reply('u1', {})), 100);
    expect(fake.rejected.map((r) => r.error.code)).toEqual([190, 100, 100, 100]);
    expect(fake.sent).toHaveLength(0);
  });

  it('limits text to under 2000 characters', async () => {
    const fake = await setup();
    fake.setLastUserMessage('u1', Date.now());
    expectGraphError(await send(fake, reply('u1', { text: 'a'.repeat(2000) })), 100);
    expect((await send(fake, reply('u1', { text: 'a'.repeat(1999) }))).status).toBe(200);
  });

  it('limits quick replies to 13, titles to 20 and payloads to 1000', async () => {
    const fake = await setup();
    fake.setLastUserMessage('u1', Date.now());
    const qr = (title: string, payload = 'P') => ({ content_type: 'text', title, payload });
    const many = Array.from({ length: 14 }, (_, i) => qr(`Q${i}`));
    expectGraphError(await send(fake, reply('u1', { text: 'x', quick_replies: many })), 100);
    expectGraphError(
      await send(fake, reply('u1', { text: 'x', quick_replies: [qr('t'.repeat(21))] })),
      100,
    );
    expectGraphError(
      await send(fake, reply('u1', { text: 'x', quick_replies: [qr('t', 'p'.repeat(1001))] })),
      100,
    );
    const ok = [...many.slice(0, 12), qr('t'.repeat(20), 'p'.repeat(1000))];
    expect((await send(fake, reply('u1', { text: 'x', quick_replies: ok }))).status).toBe(200);
  });

  it('takes sender actions alone and records them apart from messages', async () => {
    const fake = await setup();
    const action = { recipient: { id: 'u1' }, sender_action: 'typing_on' };
    expectGraphError(await send(fake, { ...action, message: { text: 'x' } }), 100);
    expect(await send(fake, action)).toEqual({ status: 200, json: { recipient_id: 'u1' } });
    expect(fake.actions).toMatchObject([{ psid: 'u1', body: action }]);
    expect(fake.sent).toHaveLength(0);
  });

  it('enforces the 24 h window, and HUMAN_AGENT up to 7 days', async () => {
    let clock = 1_700_000_000_000;
    const fake = await setup({ now: () => clock });
    const agent = { messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' };
    expectGraphError(await send(fake, reply('stranger', { text: 'x' })), 10, 2018278);
    fake.setLastUserMessage('u1', clock);
    clock += 23 * 3_600_000;
    expect((await send(fake, reply('u1', { text: 'ok' }))).status).toBe(200);
    clock += 2 * 3_600_000; // 25 h
    const late = await send(fake, reply('u1', { text: 'late' }));
    expectGraphError(late, 10, 2018278);
    expect(late.json.error.message).toBe('(#10) This message is sent outside of allowed window.');
    expectGraphError(
      await send(fake, reply('u1', { text: 'x' }, { messaging_type: 'UPDATE' })),
      10,
      2018278,
    );
    expect((await send(fake, reply('u1', { text: 'agent' }, agent))).status).toBe(200);
    clock += 6 * 24 * 3_600_000; // 7 d 1 h
    expectGraphError(await send(fake, reply('u1', { text: 'agent' }, agent)), 10, 2018278);
  });

  it('refreshes the window from delivered user messages but not from echoes', async () => {
    let clock = 1_700_000_000_000;
    const fake = await setup({ now: () => clock });
    const bot = await receiver();
    await fake.deliver(bot.url, [fake.echo('u1', 'from page')]);
    expectGraphError(await send(fake, reply('u1', { text: 'x' })), 10, 2018278);
    await fake.deliver(bot.url, [fake.text('u1', 'from user')]);
    clock += 3_600_000;
    expect((await send(fake, reply('u1', { text: 'x' }))).status).toBe(200);
  });

  it('fails sends to a user who blocked the page with 551', async () => {
    const fake = await setup();
    fake.setLastUserMessage('u1', Date.now());
    fake.block('u1');
    const r = await send(fake, reply('u1', { text: 'x' }));
    expectGraphError(r, 551);
    expect(r.json.error.message).toBe("This person isn't available right now.");
  });

  it('honours failNext and logs every request', async () => {
    const fake = await setup();
    fake.setLastUserMessage('u1', Date.now());
    fake.server.failNext(1, { status: 503 }, `/${fake.graphVersion}/me/messages`);
    expect((await send(fake, reply('u1', { text: 'x' }))).status).toBe(503);
    expect((await send(fake, reply('u1', { text: 'x' }))).status).toBe(200);
    expect(fake.server.requests).toHaveLength(2);
    expect(fake.sent).toHaveLength(1);
  });

  it('echoes accepted sends to echoWebhookUrl when asked', async () => {
    const bot = await receiver();
    const fake = await setup({ echoWebhookUrl: bot.url });
    fake.setLastUserMessage('u1', Date.now());
    await send(fake, reply('u1', { text: 'xin chào' }));
    const hit = await waitUntil(() => bot.hits[0]);
    const event = JSON.parse(hit.raw.toString()).entry[0].messaging[0];
    expect(event).toMatchObject({ sender: { id: fake.pageId }, recipient: { id: 'u1' } });
    expect(event.message).toMatchObject({ is_echo: true, mid: 'm_1', text: 'xin chào' });
  });
});
