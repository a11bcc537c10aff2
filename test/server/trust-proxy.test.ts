import { io, type Socket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * TRUST_PROXY: behind a reverse proxy (here the test itself, on loopback,
 * writing X-Forwarded-For) the sign-in lockout and the widget's per-address
 * limits count each person apart; without it, X-Forwarded-For is ignored and
 * everyone on one address shares one count.
 */
describe('TRUST_PROXY setting', () => {
  const parse = (value: string) => loadConfig({ TRUST_PROXY: value }).TRUST_PROXY;

  it('accepts what express accepts, off by default', () => {
    expect(loadConfig({}).TRUST_PROXY).toBe(false);
    expect(parse('false')).toBe(false);
    expect(parse('true')).toBe(true);
    expect(parse('1')).toBe(1);
    expect(parse('loopback')).toEqual(['loopback']);
    expect(parse('loopback, 10.0.0.0/8, fd00::/8,192.168.1.7')).toEqual([
      'loopback',
      '10.0.0.0/8',
      'fd00::/8',
      '192.168.1.7',
    ]);
  });

  it('refuses nonsense at start-up with a clear message', () => {
    for (const [value, reason] of [
      ['yes', /invalid IP address: yes/],
      ['loopback,', /empty entry/],
      ['10.0.0.0/33', /invalid range on address: 10.0.0.0\/33/],
      ['-1', /invalid IP address: -1/],
      ['1.5', /invalid IP address: 1.5/],
    ] as const) {
      expect(() => parse(value), value).toThrow(/TRUST_PROXY: "/);
      expect(() => parse(value), value).toThrow(reason);
    }
  });
});

describe('client address behind a proxy', () => {
  let server: TestServer | undefined;
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.close();
    await server?.cleanup();
    server = undefined;
  });

  const login = (from: string, username: string) =>
    fetch(`${server?.url}/api/console/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': from },
      body: JSON.stringify({ username, password: 'not-the-password' }),
    }).then((r) => r.status);

  /** Twenty wrong passwords (different names, so no name locks) lock an address. */
  async function lockOut(from: string) {
    for (let i = 0; i < 20; i++) expect(await login(from, `nobody-${i}`)).toBe(401);
    expect(await login(from, 'nobody-else')).toBe(429);
  }

  it('with TRUST_PROXY=loopback, two people behind the proxy have their own lockout', async () => {
    server = await startTestServer({ TRUST_PROXY: 'loopback' });
    await lockOut('203.0.113.1');
    expect(await login('203.0.113.2', 'nobody-else')).toBe(401);
    // The proxy appends; the address the proxy saw is the one that counts.
    expect(await login('198.51.100.9, 203.0.113.1', 'nobody-else')).toBe(429);
  });

  it('with it off, X-Forwarded-For is ignored: one address, one lockout', async () => {
    server = await startTestServer();
    await lockOut('203.0.113.1');
    expect(await login('203.0.113.2', 'nobody-else')).toBe(429);
  });

  function widget(from: string): Promise<'connected' | string> {
    const socket = io(`${server?.url}/chat`, {
      auth: { session: `proxy-session-${Math.random().toString(36).slice(2)}xxxxxxxx` },
      transports: ['websocket'],
      extraHeaders: { 'x-forwarded-for': from },
      forceNew: true,
      reconnection: false,
    });
    sockets.push(socket);
    return new Promise((resolve) => {
      socket.once('connect', () => resolve('connected'));
      socket.once('connect_error', (e) => resolve(e.message));
    });
  }

  it('with TRUST_PROXY=loopback, the widget limit counts each forwarded address apart', async () => {
    server = await startTestServer({ TRUST_PROXY: 'loopback', WIDGET_MAX_CONNECTIONS_PER_IP: '2' });
    expect(await widget('203.0.113.1')).toBe('connected');
    expect(await widget('203.0.113.1')).toBe('connected');
    expect(await widget('203.0.113.1')).toMatch(/too many open connections/);
    expect(await widget('203.0.113.2')).toBe('connected');
  });

  it('with it off, the widget limit ignores X-Forwarded-For', async () => {
    server = await startTestServer({ WIDGET_MAX_CONNECTIONS_PER_IP: '2' });
    expect(await widget('203.0.113.1')).toBe('connected');
    expect(await widget('203.0.113.2')).toBe('connected');
    expect(await widget('203.0.113.3')).toMatch(/too many open connections/);
  });

  it('with a trusted range that is not the peer, X-Forwarded-For is still ignored', async () => {
    server = await startTestServer({
      TRUST_PROXY: '10.0.0.0/8',
      WIDGET_MAX_CONNECTIONS_PER_IP: '1',
    });
    expect(await widget('203.0.113.1')).toBe('connected');
    expect(await widget('203.0.113.2')).toMatch(/too many open connections/);
  });
});
