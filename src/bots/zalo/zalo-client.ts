import { PlatformError, type PlatformRefusal } from '../../core/errors.js';
import { callPlatform, type PlatformResponse, retryAfterSeconds } from '../http.js';

/**
 * The two Zalo calls the bot makes, with `fetch` and no SDK: a CS message
 * (openapi.zalo.me) and a token refresh (oauth.zaloapp.com). Tokens travel in
 * headers and form bodies, never in URLs, and never appear in errors.
 */

/** -216 invalid and -220 expired access token: refresh once and retry once (reference §1.2). */
export const TOKEN_ERRORS: ReadonlySet<number> = new Set([-216, -220]);

/**
 * Sends one CS message and returns Zalo's `error` code (0 is success). Zalo
 * answers HTTP 200 with a non-zero `error` when it refuses (reference §1.1),
 * so the body decides; HTTP-level failures throw here.
 */
export async function postCs(apiUrl: string, accessToken: string, body: object): Promise<number> {
  // Header `access_token`, not `Authorization: Bearer` (reference §1.1, §1.6).
  const res = await callPlatform('zalo', `${apiUrl}/v3.0/oa/message/cs`, {
    headers: { 'content-type': 'application/json', access_token: accessToken },
    body: JSON.stringify(body),
  });
  httpFailure(res);
  const code = Number((res.body as { error?: unknown } | undefined)?.error);
  // An answer without the envelope is not a refusal we can read: try again later.
  if (!Number.isInteger(code)) throw new PlatformError('zalo', res.status, 'server', 'none', true);
  return code;
}

/** A new token pair and how long its access token lives. */
export interface FreshTokens {
  accessToken: string;
  refreshToken: string;
  lifetimeMs: number;
}

/** 25 h, what Zalo states and returns as `expires_in: "90000"` (reference §1.2). */
const DEFAULT_LIFETIME_S = 90_000;

/**
 * `POST {oauth}/v4/oa/access_token` with `secret_key: <App Secret>` and a form
 * `app_id, grant_type=refresh_token, refresh_token` (reference §1.2). The refresh
 * token is single-use: the answer's pair replaces it. A refusal is 'auth' and
 * not retryable (an OA admin must consent again); 5xx and 429 are retried.
 */
export async function refreshTokens(
  oauthUrl: string,
  appId: string,
  appSecret: string,
  refreshToken: string,
): Promise<FreshTokens> {
  const form = new URLSearchParams({
    app_id: appId,
    grant_type: 'refresh_token',
    refresh_token: refreshToken,
  });
  const res = await callPlatform('zalo', `${oauthUrl}/v4/oa/access_token`, {
    headers: { 'content-type': 'application/x-www-form-urlencoded', secret_key: appSecret },
    body: form.toString(),
  });
  httpFailure(res);
  const b = res.body as
    | { access_token?: unknown; refresh_token?: unknown; expires_in?: unknown; error?: unknown }
    | undefined;
  if (typeof b?.access_token !== 'string' || typeof b.refresh_token !== 'string') {
    // Only the numeric code: error_description may quote what was sent.
    const code = typeof b?.error === 'number' ? `oauth ${b.error}` : `oauth ${res.status}`;
    throw new PlatformError('zalo', res.status, 'auth', code, false);
  }
  // `expires_in` is a string (reference §1.2).
  const seconds = Number(b.expires_in);
  return {
    accessToken: b.access_token,
    refreshToken: b.refresh_token,
    lifetimeMs: (Number.isFinite(seconds) && seconds > 0 ? seconds : DEFAULT_LIFETIME_S) * 1000,
  };
}

/** Throws for 429 and 5xx (retried) and other non-2xx answers (not retried). */
function httpFailure(res: PlatformResponse): void {
  if (res.status >= 200 && res.status < 300) return;
  const retryAfter = retryAfterSeconds(res.headers);
  if (res.status === 429) {
    throw new PlatformError('zalo', 429, 'rate_limited', 'http 429', true, retryAfter);
  }
  if (res.status >= 500) {
    throw new PlatformError('zalo', res.status, 'server', `http ${res.status}`, true, retryAfter);
  }
  throw new PlatformError('zalo', res.status, 'other', `http ${res.status}`, false);
}

/** Zalo's error codes in our words (reference §1.7, §1.8; partly UNCONFIRMED). */
export function zaloError(code: number): PlatformError {
  let reason: PlatformRefusal = 'other';
  let retryable = false;
  if (code === -230 || code === -232) reason = 'window_closed';
  else if (code === -213) reason = 'blocked';
  else if (TOKEN_ERRORS.has(code) || code === -223) reason = 'auth';
  else if (code === -201) reason = 'invalid';
  else if (code === -32) {
    reason = 'rate_limited';
    retryable = true;
  }
  return new PlatformError('zalo', 200, reason, String(code), retryable);
}
