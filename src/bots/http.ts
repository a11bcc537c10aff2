import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { PlatformUnreachableError } from '../core/errors.js';

export interface PlatformResponse {
  status: number;
  /** Parsed JSON, or undefined when the body was empty or not JSON. */
  body: unknown;
  headers: IncomingHttpHeaders;
}

// Kept-alive connections: a busy hotline sends many small messages to the same few hosts.
// node:http rather than fetch, because fetch costs several times the CPU per call (bench:messenger).
const agents = {
  http: new HttpAgent({ keepAlive: true, maxSockets: 64 }),
  https: new HttpsAgent({ keepAlive: true, maxSockets: 64 }),
};

/**
 * One HTTP call to a platform. A network failure or timeout becomes
 * `PlatformUnreachableError` (always retried); any HTTP answer is returned
 * for the adapter to read in its platform's terms.
 */
export function callPlatform(
  channel: string,
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string; timeoutMs?: number },
): Promise<PlatformResponse> {
  const target = new URL(url);
  const secure = target.protocol === 'https:';
  const body = init.body === undefined ? undefined : Buffer.from(init.body, 'utf8');
  return new Promise((resolve, reject) => {
    const req = (secure ? httpsRequest : httpRequest)(
      target,
      {
        method: init.method ?? 'POST',
        agent: secure ? agents.https : agents.http,
        headers: { ...init.headers, ...(body ? { 'content-length': String(body.length) } : {}) },
        timeout: init.timeoutMs ?? 10_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (cause) => reject(new PlatformUnreachableError(channel, { cause })));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            parsed = undefined;
          }
          resolve({ status: res.statusCode ?? 0, body: parsed, headers: res.headers });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (cause) => reject(new PlatformUnreachableError(channel, { cause })));
    req.end(body);
  });
}

/** Seconds from a Retry-After header (seconds or an HTTP date); undefined when absent. */
export function retryAfterSeconds(
  headers: IncomingHttpHeaders | Headers,
  now = Date.now(),
): number | undefined {
  // node:http headers here, fetch Headers from SDKs that use fetch (LINE).
  const value = headers instanceof Headers ? headers.get('retry-after') : headers['retry-after'];
  if (typeof value !== 'string' || !value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, (at - now) / 1000);
}
