import { io, type Socket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConnectionRefusal } from '../../src/server/connection-limit.js';
import { signedInCounsellor } from '../support/counsellors.js';
import { pollUntil } from '../support/poll.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * Per-address limits on widget connections, over real Socket.IO: new
 * connections per minute and connections held open. A refusal is a
 * `connect_error` the widget can recognise (`data.code`), not a dropped socket.
 */
type Outcome = { connected: true } | { error: Error & { data?: ConnectionRefusal } };

let server: TestServer | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.close();
  await server?.cleanup();
  server = undefined;
});

let n = 0;
function widget(url: string, session = `limit-session-${n++}-xxxxxxxxxx`): Socket {
  const socket = io(`${url}/chat`, {
    auth: { session, lang: 'vi' },
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
  });
  sockets.push(socket);
  return socket;
}

function outcome(socket: Socket): Promise<Outcome> {
  return new Promise((resolve) => {
    socket.once('connect', () => resolve({ connected: true }));
    socket.once('connect_error', (error) => resolve({ error }));
  });
}

async function refused(socket: Socket) {
  const result = await outcome(socket);
  if (!('error' in result)) throw new Error('expected a refusal, but the socket connected');
  return result.error;
}

describe('widget connections per address', () => {
  it('refuses new connections past the per-minute limit with a clear rate_limited error', async () => {
    server = await startTestServer({ WIDGET_CONNECT_RATE_PER_IP_PER_MINUTE: '3' });
    const url = server.url;
    for (let i = 0; i < 3; i++) {
      const s = widget(url);
      expect(await outcome(s)).toEqual({ connected: true });
      s.close();
    }
    const error = await refused(widget(url));
    expect(error.message).toMatch(/^rate_limited: too many new connections from this address/);
    expect(error.data?.code).toBe('rate_limited');
    expect(error.data?.retryAfterSeconds).toBeGreaterThan(0);
    expect(error.data?.retryAfterSeconds).toBeLessThanOrEqual(60);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/sj_chat_connections_refused_total\{reason="rate"\} 1/);
  });

  it('caps connections held open, and frees a slot when one closes', async () => {
    server = await startTestServer({ WIDGET_MAX_CONNECTIONS_PER_IP: '2' });
    const url = server.url;
    const first = widget(url);
    const second = widget(url);
    expect(await Promise.all([outcome(first), outcome(second)])).toEqual([
      { connected: true },
      { connected: true },
    ]);
    const third = await refused(widget(url));
    expect(third.message).toMatch(/too many open connections/);
    expect(third.data?.code).toBe('rate_limited');
    // A handshake the server refuses for its own reasons takes no slot.
    const bad = io(`${url}/chat`, {
      auth: { session: 'x' },
      transports: ['websocket'],
      forceNew: true,
    });
    sockets.push(bad);
    expect((await refused(bad)).message).toMatch(/^bad_request/);
    // Counsellors' console sockets are not widget connections.
    const lan = await signedInCounsellor(server.store, 'lan');
    const counsellorSocket = io(`${url}/console`, {
      auth: { token: lan.token },
      transports: ['websocket'],
      forceNew: true,
    });
    sockets.push(counsellorSocket);
    expect(await outcome(counsellorSocket)).toEqual({ connected: true });

    first.close();
    // The server sees the close a moment later; then there is room again.
    const again = await pollUntil(async () => {
      const s = widget(url);
      const result = await outcome(s);
      if ('connected' in result) return s;
      s.close();
      return undefined;
    });
    expect(again.connected).toBe(true);
    expect((await refused(widget(url))).message).toMatch(/too many open connections/);
  });

  it('keeps the limits generous by default', async () => {
    server = await startTestServer();
    const many = Array.from({ length: 30 }, () => widget((server as TestServer).url));
    const results = await Promise.all(many.map(outcome));
    expect(results.every((r) => 'connected' in r)).toBe(true);
  });
});
