import { io } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChatAck, WidgetMessage } from '../../src/server/chat-gateway.js';
import { connectChat, nextEvent, startTestServer, type TestServer } from '../support/server.js';

interface History {
  locale: string;
  messages: WidgetMessage[];
  welcome: { text: string; choices?: unknown[] };
}

describe('web chat gateway (/chat over real Socket.IO)', () => {
  let server: TestServer;
  afterEach(async () => {
    await server?.cleanup();
  });

  it('lets only pages on the allow-list, and our own pages, open a chat', async () => {
    server = await startTestServer({ WIDGET_ORIGINS: 'https://school.example' });
    const open = (origin: string) =>
      new Promise<string>((resolve) => {
        const socket = io(`${server.url}/chat`, {
          auth: { session: 'session-origin-000000' },
          transports: ['websocket'],
          forceNew: true,
          extraHeaders: { origin },
        });
        socket.on('connect', () => {
          socket.close();
          resolve('connected');
        });
        socket.on('connect_error', () => {
          socket.close();
          resolve('refused');
        });
      });
    expect(await open('https://school.example')).toBe('connected');
    expect(await open('https://evil.example')).toBe('refused');
    expect(await open(server.url)).toBe('connected');
  });

  it('greets a new tab, answers a question without diacritics with a sourced article', async () => {
    server = await startTestServer();
    const socket = connectChat(server.url, 'session-aaaaaaaaaaaaaaaa');
    const history = await nextEvent<History>(socket, 'history');
    expect(history.messages).toEqual([]);
    expect(history.welcome.text).toMatch(/Safe Journey/);
    expect(history.welcome.choices?.length).toBeGreaterThan(2);

    const ack: ChatAck = await socket.emitWithAck('message', {
      id: 'm1',
      text: 'lam sao biet cty xkld co giay phep ko',
    });
    expect(ack.ok).toBe(true);
    if (!ack.ok) return;
    const [answer] = ack.replies;
    expect(answer?.topicId).toBe('verify-recruitment-agency');
    expect(answer?.sources?.length).toBeGreaterThan(0);
    expect(answer?.choices?.some((c) => c.payload === 'cmd:person')).toBe(true);
    socket.close();
  });

  it('runs a guided check on the web channel, with buttons and typed answers', async () => {
    server = await startTestServer();
    const socket = connectChat(server.url, 'session-flow-000000000', 'en');
    await nextEvent(socket, 'history');
    const started: ChatAck = await socket.emitWithAck('choice', {
      id: 'c1',
      payload: 'flow:help-near-me',
      label: 'Find help near me',
    });
    expect(started.ok && started.replies.at(-1)?.text).toMatch(/Which province/);
    const asked: ChatAck = await socket.emitWithAck('message', { id: 'c2', text: 'Binh Duong' });
    expect(asked.ok && asked.replies[0]?.choices?.map((c) => c.payload)).toContain(
      'flow-answer:shelter',
    );
    const result: ChatAck = await socket.emitWithAck('choice', {
      id: 'c3',
      payload: 'flow-answer:shelter',
      label: 'A safe place to stay',
    });
    expect(result.ok && result.replies.map((r) => r.text).join('\n')).toMatch(
      /TP\. Hồ Chí Minh[\s\S]*111/,
    );
    socket.close();
  });

  it('runs each check to its result over the web channel, in the language the test has not used yet', async () => {
    server = await startTestServer();
    const say = async (socket: ReturnType<typeof connectChat>, text: string) => {
      const ack: ChatAck = await socket.emitWithAck('message', {
        id: `m${Math.random().toString(36).slice(2)}`,
        text,
      });
      return ack.ok ? ack.replies.map((r) => r.text).join('\n') : '';
    };
    const press = async (socket: ReturnType<typeof connectChat>, payload: string) => {
      const ack: ChatAck = await socket.emitWithAck('choice', {
        id: `c${Math.random().toString(36).slice(2)}`,
        payload,
        label: payload,
      });
      return ack.ok ? ack.replies.map((r) => r.text).join('\n') : '';
    };
    const en = connectChat(server.url, 'session-flows-en-000000', 'en');
    const vi = connectChat(server.url, 'session-flows-vi-000000', 'vi');
    await Promise.all([nextEvent(en, 'history'), nextEvent(vi, 'history')]);

    await press(en, 'flow:verify-company');
    expect(await say(en, 'ABC Manpower JSC')).toMatch(/no list of licensed companies/);

    await press(vi, 'flow:exploitation-check');
    for (const answer of [
      'cho chính mình',
      'có',
      'không',
      'có',
      'không',
      'không',
      'không',
      'không',
      'không',
    ])
      await say(vi, answer);
    expect(await say(vi, 'không')).toMatch(/Có một số dấu hiệu/);

    await press(en, 'flow:job-offer-check');
    await say(en, 'Easy job in Cambodia, no experience, message me on Telegram');
    for (const answer of ['yes', 'no', 'no']) await say(en, answer);
    expect(await say(en, "I don't know")).toMatch(/HIGH risk/);

    await press(vi, 'flow:help-near-me');
    await say(vi, 'Hà Giang');
    expect(await press(vi, 'flow-answer:abroad')).toMatch(/Tuyên Quang[\s\S]*\+84 981 84 84 84/);
    en.close();
    vi.close();
  });

  it('restores the conversation after a server restart', async () => {
    server = await startTestServer();
    let socket = connectChat(server.url, 'session-bbbbbbbbbbbbbbbb');
    await nextEvent(socket, 'history');
    await socket.emitWithAck('message', { id: 'm1', text: 'đường dây nóng 111 là gì' });
    socket.close();

    server = await server.restart();
    socket = connectChat(server.url, 'session-bbbbbbbbbbbbbbbb');
    const history = await nextEvent<History>(socket, 'history');
    expect(history.messages[0]).toEqual({ from: 'user', text: 'đường dây nóng 111 là gì' });
    expect(history.messages[1]?.reply?.topicId).toBe('hotline-111');
    socket.close();
  });

  it('never answers the same message id twice', async () => {
    server = await startTestServer();
    const socket = connectChat(server.url, 'session-cccccccccccccccc');
    await nextEvent(socket, 'history');
    const [a, b] = await Promise.all([
      socket.emitWithAck('message', { id: 'same', text: 'hotline 111' }),
      socket.emitWithAck('message', { id: 'same', text: 'hotline 111' }),
    ]);
    const answered = [a, b].filter((x: ChatAck) => x.ok && !x.duplicate && x.replies.length > 0);
    expect(answered).toHaveLength(1);
    socket.close();
  });

  it('gives a clear error for malformed and oversized events, and keeps serving', async () => {
    server = await startTestServer({ MAX_MESSAGE_CHARS: '500' });
    const socket = connectChat(server.url, 'session-dddddddddddddddd');
    await nextEvent(socket, 'history');
    const bad: ChatAck[] = [
      await socket.emitWithAck('message', 'just a string'),
      await socket.emitWithAck('message', { id: 'x' }),
      await socket.emitWithAck('message', { id: '../../etc', text: 'hi' }),
      await socket.emitWithAck('message', { id: 'n1', text: 42 }),
      await socket.emitWithAck('choice', { id: 'c1' }),
      await socket.emitWithAck('message', null),
    ];
    for (const ack of bad) expect(ack).toMatchObject({ ok: false, error: { code: 'bad_request' } });

    const tooLong: ChatAck = await socket.emitWithAck('message', {
      id: 'long',
      text: 'a'.repeat(501),
    });
    expect(tooLong).toMatchObject({ ok: false, error: { code: 'too_long' } });

    // An event without an acknowledgement gets its error as an event.
    const errorEvent = nextEvent<{ code: string }>(socket, 'chat_error');
    socket.emit('message', { nope: true });
    expect((await errorEvent).code).toBe('bad_request');

    const ok: ChatAck = await socket.emitWithAck('message', { id: 'fine', text: 'hotline 111' });
    expect(ok.ok).toBe(true);
    socket.close();
  });

  it('refuses a connection without a valid session key', async () => {
    server = await startTestServer();
    const socket = connectChat(server.url, 'short');
    const error = await nextEvent<Error>(socket, 'connect_error');
    expect(error.message).toMatch(/bad_request/);
    socket.close();
  });

  it('disconnects a client that sends a huge payload, and the server stays up', async () => {
    server = await startTestServer();
    const socket = connectChat(server.url, 'session-eeeeeeeeeeeeeeee');
    await nextEvent(socket, 'history');
    const gone = nextEvent(socket, 'disconnect');
    socket.emit('message', { id: 'huge', text: 'x'.repeat(2_000_000) });
    await gone;
    const again = connectChat(server.url, 'session-eeeeeeeeeeeeeeee');
    await nextEvent(again, 'history');
    const ack: ChatAck = await again.emitWithAck('message', { id: 'after', text: 'hotline 111' });
    expect(ack.ok).toBe(true);
    again.close();
    socket.close();
  });

  it('serves health, readiness, metrics and the demo page with security headers', async () => {
    server = await startTestServer();
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await (await fetch(`${server.url}/readyz`)).json()).toEqual({ status: 'ready' });
    const page = await fetch(`${server.url}/`);
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await page.text()).toContain('/widget.js');
    const socket = connectChat(server.url, 'session-ffffffffffffffff');
    await nextEvent(socket, 'history');
    await socket.emitWithAck('message', { id: 'm', text: 'hotline 111' });
    socket.close();
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/sj_turns_total\{channel="web",intent="answer"\} 1/);
    const missing = await fetch(`${server.url}/nope`);
    expect(missing.status).toBe(404);
  });
});
