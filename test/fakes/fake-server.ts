import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The shared skeleton of every platform fake: a `node:http` server on
 * 127.0.0.1:0 with a route table, a record of what it received, and failure
 * injection (5xx, 429 with Retry-After, a dropped connection) that the
 * platform-specific fakes apply before their own checks.
 */

export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  raw: string;
  /** The body parsed as JSON, or as a form when it was url-encoded; undefined when neither. */
  body: unknown;
  /** When it arrived (ms since the epoch). */
  at: number;
}

export interface FakeResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type FakeRoute = (req: FakeRequest) => FakeResponse | Promise<FakeResponse>;

/** What the next matching requests should suffer. */
export type Failure =
  | { status: 500 | 502 | 503 }
  | { status: 429; retryAfterSeconds?: number; body?: unknown }
  | { network: true };

export interface FakeServer {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** Every request, in arrival order (including failed ones). */
  requests: FakeRequest[];
  /** Makes the next `count` requests whose path starts with `pathPrefix` fail this way. */
  failNext(count: number, failure: Failure, pathPrefix?: string): void;
  close(): Promise<void>;
}

export async function startFakeServer(routes: Record<string, FakeRoute>): Promise<FakeServer> {
  const requests: FakeRequest[] = [];
  const failures: { count: number; failure: Failure; prefix: string }[] = [];

  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://fake');
    const request: FakeRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      raw,
      body: parseBody(raw, req.headers['content-type']),
      at: Date.now(),
    };
    requests.push(request);

    const pending = failures.find((f) => f.count > 0 && request.path.startsWith(f.prefix));
    if (pending) {
      pending.count--;
      const f = pending.failure;
      if ('network' in f) {
        req.socket.destroy();
        return;
      }
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (f.status === 429 && f.retryAfterSeconds !== undefined) {
        headers['retry-after'] = String(f.retryAfterSeconds);
      }
      const body = 'body' in f && f.body !== undefined ? f.body : { message: 'injected failure' };
      res.writeHead(f.status, headers).end(JSON.stringify(body));
      return;
    }

    const route = routes[`${request.method} ${request.path}`] ?? matchPattern(routes, request);
    if (!route) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: `no route ${request.method} ${request.path}` }));
      return;
    }
    try {
      const out = await route(request);
      res.writeHead(out.status, { 'content-type': 'application/json', ...out.headers });
      res.end(out.body === undefined ? '' : JSON.stringify(out.body));
    } catch (error) {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: String(error) }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    failNext(count, failure, pathPrefix = '/') {
      failures.push({ count, failure, prefix: pathPrefix });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Routes may use `:name` segments, e.g. `POST /v3/conversations/:id/activities`. */
function matchPattern(routes: Record<string, FakeRoute>, req: FakeRequest): FakeRoute | undefined {
  for (const [key, route] of Object.entries(routes)) {
    const [method, pattern] = key.split(' ') as [string, string];
    if (method !== req.method || !pattern.includes(':')) continue;
    const re = new RegExp(`^${pattern.replace(/:[A-Za-z]+/g, '[^/]+')}$`);
    if (re.test(req.path)) return route;
  }
  return undefined;
}

function parseBody(raw: string, type: string | undefined): unknown {
  if (!raw) return undefined;
  if (type?.includes('application/x-www-form-urlencoded')) {
    return Object.fromEntries(new URLSearchParams(raw));
  }
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

/** Posts a webhook body exactly as given (the bytes that were signed). */
export async function postWebhook(
  url: string,
  raw: string,
  headers: Record<string, string>,
  timeoutMs = 20_000,
): Promise<{ status: number; text: string; ms: number }> {
  const started = performance.now();
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: raw,
    signal: AbortSignal.timeout(timeoutMs),
  });
  return { status: res.status, text: await res.text(), ms: performance.now() - started };
}

/** Polls until `check` returns a value (not undefined) or the time is up. */
export async function waitUntil<T>(
  check: () => T | undefined,
  timeoutMs = 5000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
