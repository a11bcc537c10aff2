import { PlatformUnreachableError } from '../core/errors.js';

export interface PlatformResponse {
  status: number;
  /** Parsed JSON, or undefined when the body was empty or not JSON. */
  body: unknown;
  headers: Headers;
}

/**
 * One HTTP call to a platform with `fetch`. A network failure or timeout
 * becomes `PlatformUnreachableError` (always retried); any HTTP answer is
 * returned for the adapter to read in its platform's terms.
 */
export async function callPlatform(
  channel: string,
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string; timeoutMs?: number },
): Promise<PlatformResponse> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: init.method ?? 'POST',
      headers: init.headers ?? {},
      ...(init.body !== undefined ? { body: init.body } : {}),
      signal: AbortSignal.timeout(init.timeoutMs ?? 10_000),
    });
  } catch (cause) {
    throw new PlatformUnreachableError(channel, { cause });
  }
  let text = '';
  try {
    text = await res.text();
  } catch (cause) {
    throw new PlatformUnreachableError(channel, { cause });
  }
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: res.status, body, headers: res.headers };
}

/** Seconds from a Retry-After header (seconds or an HTTP date); undefined when absent. */
export function retryAfterSeconds(headers: Headers, now = Date.now()): number | undefined {
  const value = headers.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, (at - now) / 1000);
}
