import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Activity } from '@microsoft/agents-activity';
import { CloudAdapter, type TurnContext } from '@microsoft/agents-hosting';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type BotFrameworkFake,
  type BotFrameworkFakeOptions,
  startBotFrameworkFake,
} from './botframework-fake.js';

const open: { close(): Promise<void> }[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

async function fake(options: BotFrameworkFakeOptions = {}): Promise<BotFrameworkFake> {
  const f = await startBotFrameworkFake(options);
  open.push(f);
  return f;
}

/** Posts `body` to the fake connector the way ConnectorClient does (raw path, JSON). */
async function post(
  f: BotFrameworkFake,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const res = await fetch(`${f.serviceUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

/** Closes a listening server, dropping keep-alive sockets. */
function closer(srv: ReturnType<typeof createServer>) {
  return () =>
    new Promise<void>((r) => {
      srv.closeAllConnections();
      srv.close(() => r());
    });
}

/** A bot stand-in: records exact bytes and headers; answers `status` after `delayMs`. */
async function receiver(status = 200, delayMs = 0) {
  const got: { headers: IncomingHttpHeaders; raw: string }[] = [];
  const srv = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    got.push({ headers: req.headers, raw: Buffer.concat(chunks).toString('utf8') });
    setTimeout(() => res.writeHead(status).end('ok'), delayMs);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  open.push({ close: closer(srv) });
  return { url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}/api/messages`, got };
}

/** Bot logic that answers one text. */
const say = (text: string) => async (ctx: TurnContext) => {
  await ctx.sendActivity(text);
};

/** A real agents-hosting CloudAdapter (anonymous: no clientId) behind a tiny Express 5 app. */
async function sdkBot(logic: (ctx: TurnContext) => Promise<void>, withJson = true) {
  const adapter = new CloudAdapter();
  const app = express();
  const handle = (req: express.Request, res: express.Response) => adapter.process(req, res, logic);
  if (withJson) app.post('/api/messages', express.json(), handle);
  else app.post('/api/messages', handle);
  // The JWT check is separate middleware; process() itself never looks at Authorization.
  app.post(
    '/api/secure',
    (req, res, next) => adapter.authorizeRequest(req, res, next),
    express.json(),
    handle,
  );
  const srv = app.listen(0, '127.0.0.1');
  await new Promise<void>((r) => srv.once('listening', () => r()));
  open.push({ close: closer(srv) });
  const base = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
  return { adapter, url: `${base}/api/messages`, secureUrl: `${base}/api/secure` };
}

describe('botframework fake: inbound activity builders (§4.3)', () => {
  it('builds a message with the documented fields and fresh ids', async () => {
    const f = await fake();
    const a = f.message('u1', 'Tôi cần giúp đỡ 🙏', { value: { k: 1 } });
    const b = f.message('u1', 'again');
    expect(a).toMatchObject({
      type: 'message',
      channelId: 'directline',
      serviceUrl: f.serviceUrl,
      from: { id: 'u1', role: 'user' },
      recipient: { id: 'bot', role: 'bot' },
      conversation: { id: 'conv-u1' },
      text: 'Tôi cần giúp đỡ 🙏',
      locale: 'vi-VN',
      value: { k: 1 },
    });
    expect(Number.isNaN(Date.parse(a.timestamp))).toBe(false);
    expect(a.id).not.toBe(b.id);
    expect(
      f.message('u1', 'x', { id: 'fixed', conversationId: 'c9', locale: 'en-US' }),
    ).toMatchObject({
      id: 'fixed',
      conversation: { id: 'c9' },
      locale: 'en-US',
    });
  });

  it('builds conversationUpdate and attachment-only activities; honours channelId', async () => {
    const f = await fake({ channelId: 'webchat' });
    expect(f.conversationUpdate('u2', 'added')).toMatchObject({
      type: 'conversationUpdate',
      channelId: 'webchat',
      membersAdded: [{ id: 'u2' }],
    });
    const gone = f.conversationUpdate('u2', 'removed', 'c2');
    expect(gone).toMatchObject({ membersRemoved: [{ id: 'u2' }], conversation: { id: 'c2' } });
    expect(gone.membersAdded).toBeUndefined();
    const img = f.attachment('u2', 'image/jpeg');
    expect(img.type).toBe('message');
    expect(img.text).toBeUndefined();
    expect(img.attachments).toEqual([expect.objectContaining({ contentType: 'image/jpeg' })]);
  });
});

describe('botframework fake: connector routes (§4.2, §4.6.2)', () => {
  it('accepts sends and replies with 200 {id}, decoding the path ids', async () => {
    const f = await fake();
    const typing = await post(f, '/v3/conversations/c%201/activities/c%201%7C0000001', {
      type: 'typing',
    });
    expect(typing.status).toBe(200);
    expect(typing.body.id).toEqual(expect.any(String));
    const msg = await post(f, '/v3/conversations/c-2/activities', {
      type: 'message',
      text: 'xin chào',
    });
    expect(msg.status).toBe(200);
    expect(msg.body.id).not.toBe(typing.body.id);
    expect(f.received.map((r) => [r.conversationId, r.replyToId, r.activity.type])).toEqual([
      ['c 1', 'c 1|0000001', 'typing'],
      ['c-2', undefined, 'message'],
    ]);
    expect(f.messages().map((m) => m.activity.text)).toEqual(['xin chào']);
  });

  it('rejects a typeless activity, an empty message and a non-JSON body with {error:{code,message}}', async () => {
    const f = await fake();
    const noType = await post(f, '/v3/conversations/c/activities', { text: 'hi' });
    const empty = await post(f, '/v3/conversations/c/activities/x', { type: 'message', text: '' });
    const garbage = await post(f, '/v3/conversations/c/activities', 'not json');
    for (const r of [noType, empty, garbage]) {
      expect(r.status).toBe(400);
      expect(r.body.error).toEqual({ code: expect.any(String), message: expect.any(String) });
    }
    const ok = await post(f, '/v3/conversations/c/activities', {
      type: 'message',
      attachments: [{ contentType: 'image/png', contentUrl: 'https://x/y.png' }],
    });
    expect(ok.status).toBe(200);
    expect(f.received).toHaveLength(1);
    expect(f.rejected.map((r) => r.status)).toEqual([400, 400, 400]);
  });

  it('requireAuth: 401 Unauthorized without a Bearer token; anonymous by default', async () => {
    const strict = await fake({ requireAuth: true });
    const body = { type: 'message', text: 'hi' };
    const none = await post(strict, '/v3/conversations/c/activities', body);
    const basic = await post(strict, '/v3/conversations/c/activities', body, {
      authorization: 'Basic abc',
    });
    for (const r of [none, basic]) {
      expect(r.status).toBe(401);
      expect(r.body.error.code).toBe('Unauthorized');
    }
    const bearer = await post(strict, '/v3/conversations/c/activities', body, {
      authorization: 'Bearer t0k',
    });
    expect(bearer.status).toBe(200);
    expect(strict.received).toHaveLength(1);
    const relaxed = await fake();
    expect((await post(relaxed, '/v3/conversations/c/activities', body)).status).toBe(200);
  });

  it('honours failNext: 503, 429 with Retry-After, dropped connection, then recovers', async () => {
    const f = await fake();
    const body = { type: 'message', text: 'hi' };
    f.server.failNext(1, { status: 503 });
    f.server.failNext(1, { status: 429, retryAfterSeconds: 7 });
    f.server.failNext(1, { network: true });
    expect((await post(f, '/v3/conversations/c/activities', body)).status).toBe(503);
    const limited = await post(f, '/v3/conversations/c/activities', body);
    expect([limited.status, limited.headers.get('retry-after')]).toEqual([429, '7']);
    await expect(post(f, '/v3/conversations/c/activities', body)).rejects.toThrow();
    expect((await post(f, '/v3/conversations/c/activities', body)).status).toBe(200);
    expect(f.received).toHaveLength(1);
  });
});

describe('botframework fake: channel side send()', () => {
  it('posts the exact JSON bytes, forwarding Authorization only when given', async () => {
    const f = await fake();
    const bot = await receiver(202);
    const activity = f.message('u1', 'Chào bạn, tôi bị giữ hộ chiếu 😢');
    const anon = await f.send(bot.url, activity);
    expect([anon.status, anon.body]).toEqual([202, 'ok']);
    expect(anon.ms).toBeGreaterThanOrEqual(0);
    await f.send(bot.url, activity, { authorization: 'Bearer bogus' });
    expect(bot.got[0]?.raw).toBe(JSON.stringify(activity));
    expect(JSON.parse(bot.got[0]?.raw ?? '').text).toBe('Chào bạn, tôi bị giữ hộ chiếu 😢');
    expect(bot.got[0]?.headers['content-type']).toBe('application/json');
    expect(bot.got[0]?.headers.authorization).toBeUndefined();
    expect(bot.got[1]?.headers.authorization).toBe('Bearer bogus');
  });

  it('gives up after webhookTimeoutMs', async () => {
    const f = await fake({ webhookTimeoutMs: 100 });
    const slow = await receiver(200, 1000);
    await expect(f.send(slow.url, f.message('u1', 'hi'))).rejects.toThrow();
  });
});

describe('botframework fake with the real @microsoft/agents-hosting CloudAdapter', () => {
  it('receives the reply (and typing) before process() answers 200, on /activities/{replyToId}', async () => {
    const f = await fake();
    const bot = await sdkBot(async (ctx) => {
      await ctx.sendActivity(Activity.fromObject({ type: 'typing' }));
      await new Promise((r) => setTimeout(r, 150));
      await ctx.sendActivity('xin chào');
    });
    expect(bot.adapter.getClientId()).toBeUndefined();
    const inbound = f.message('u1', 'chào bot');
    const out = await f.send(bot.url, inbound);
    expect([out.status, out.body]).toEqual([200, '']);
    // Already there when the HTTP answer arrives: the response is written after the turn.
    expect(out.ms).toBeGreaterThanOrEqual(140);
    expect(f.received.map((r) => [r.activity.type, r.replyToId, r.conversationId])).toEqual([
      ['typing', inbound.id, 'conv-u1'],
      ['message', inbound.id, 'conv-u1'],
    ]);
    expect(f.messages()[0]?.activity).toMatchObject({
      text: 'xin chào',
      from: { id: 'bot' },
      recipient: { id: 'u1' },
      channelId: 'directline',
    });
    // The SDK encodes only the activity id (`|` → %7C); anonymous mode sends no token.
    const call = f.server.requests.find((r) => r.path.endsWith('%7C0000001'));
    expect(call?.path).toBe('/v3/conversations/conv-u1/activities/conv-u1%7C0000001');
    expect(call?.headers.authorization).toBeUndefined();
  });

  it('on Direct Line a conversationUpdate reply has no replyToId (plain /activities)', async () => {
    const f = await fake();
    const bot = await sdkBot(say('Chào mừng'));
    expect((await f.send(bot.url, f.conversationUpdate('u3', 'added'))).status).toBe(200);
    expect(f.received[0]?.replyToId).toBeUndefined();
    expect(f.server.requests[0]?.path).toBe('/v3/conversations/conv-u3/activities');
  });

  it('proactive continueConversation works anonymously with a non-empty app id or a {} identity', async () => {
    const f = await fake();
    const bot = await sdkBot(async () => {});
    const inbound = f.message('u4', 'hi');
    await f.send(bot.url, inbound);
    const ref = Activity.fromObject(inbound).getConversationReference();
    await bot.adapter.continueConversation('any-app-id', ref, say('nhắc nhở 1'));
    // Without activityId the SDK invents a random UUID id, so sends still go to /activities/{uuid}.
    await bot.adapter.continueConversation(
      {},
      { ...ref, activityId: undefined },
      say('nhắc nhở 2'),
    );
    await expect(bot.adapter.continueConversation('', ref, async () => {})).rejects.toThrow(
      /required/,
    );
    expect(f.messages().map((m) => [m.activity.text, m.replyToId])).toEqual([
      ['nhắc nhở 1', inbound.id],
      ['nhắc nhở 2', expect.stringMatching(/^[0-9a-f-]{36}$/)],
    ]);
    expect(f.server.requests.every((r) => r.headers.authorization === undefined)).toBe(true);
  });

  it('expectReplies returns the replies in the body and skips the connector', async () => {
    const f = await fake();
    const bot = await sdkBot(say('xin chào'));
    const out = await f.send(bot.url, { ...f.message('u5', 'hi'), deliveryMode: 'expectReplies' });
    expect(out.status).toBe(200);
    expect(JSON.parse(out.body).activities).toEqual([
      expect.objectContaining({ text: 'xin chào' }),
    ]);
    expect(f.received).toHaveLength(0);
  });

  it('without express.json() process() throws (Express answers 500); a bogus Bearer gets 401', async () => {
    const f = await fake();
    const bare = await sdkBot(say('never'), false);
    expect((await f.send(bare.url, f.message('u6', 'hi'))).status).toBe(500);
    const bogus = await f.send(bare.secureUrl, f.message('u6', 'hi'), {
      authorization: 'Bearer bogus',
    });
    expect(bogus.status).toBe(401);
    expect(f.received).toHaveLength(0);
    // No header at all passes authorizeRequest as anonymous (no clientId, NODE_ENV != production).
    expect((await f.send(bare.secureUrl, f.message('u6', 'hi'))).status).toBe(200);
    expect(f.messages().map((m) => m.activity.text)).toEqual(['never']);
  });

  it('a connector 503 on the reply runs the default onTurnError, and the channel still gets 200', async () => {
    const f = await fake();
    const bot = await sdkBot(say('xin chào'));
    f.server.failNext(1, { status: 503 }, '/v3/conversations/');
    const out = await f.send(bot.url, f.message('u7', 'hi'));
    expect(out.status).toBe(200);
    // No retry by the SDK: the reply is lost and the default error texts are sent instead.
    expect(f.messages().map((m) => m.activity.text)).toEqual([
      'The agent encountered an error or bug.',
      'To continue to run this agent, please fix the source code.',
    ]);
  });
});
