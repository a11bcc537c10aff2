import { createHash, randomBytes } from 'node:crypto';
import {
  type FakeRequest,
  type FakeResponse,
  type FakeServer,
  startFakeServer,
} from './fake-server.js';

/**
 * A fake Zalo Official Account platform: the OpenAPI host (`/v3.0/oa/message/cs`) and the OAuth
 * host (`/v4/oa/access_token`) on one local server, plus a signed webhook sender. Facts and their
 * sources: /work/shared/reference/channels.md §1 and §5 (cited as §x.y below).
 */

// Zalo payloads are loose JSON; one alias keeps the `any` in a single place.
// biome-ignore lint/suspicious/noExplicitAny: event and message bodies are arbitrary JSON by design
type Json = any;

export interface ZaloFakeOptions {
  /** Numeric Zalo App ID as a string (the body's `app_id`, first term of the MAC, §1.4). */
  appId?: string;
  /** App Secret: the OAuth `secret_key` header (§1.2). */
  appSecret?: string;
  /** OA Secret Key from the webhook page, used only for signing; distinct from the App Secret (§1.4). */
  oaSecretKey?: string;
  oaId?: string;
  /** Access-token lifetime in seconds; 25 h (§1.2). */
  accessTokenTtlSeconds?: number;
  /** Clock for token expiry and the 7-day window (epoch ms). */
  now?: () => number;
  /** Max characters of `message.text` (§1.6). */
  textLimit?: number;
  /** Max template buttons. UNCONFIRMED (§1.6). */
  buttonLimit?: number;
  /** Max button title length. UNCONFIRMED (§1.6; the legacy promotion template used 35). */
  buttonTitleLimit?: number;
  /** Retries after the first webhook attempt (real Zalo: 5, at 30 s … 1 h; scaled down, §1.3). */
  webhookRetries?: number;
  webhookRetryDelayMs?: number;
  /** Zalo wants a 200 within 2 s; slower counts as a failure (§1.3). */
  webhookTimeoutMs?: number;
  /** Sends to a user whose `unfollow` was delivered fail with -213. UNCONFIRMED (§1.8). Default true. */
  unfollowBlocks?: boolean;
  /** Retry on a non-200 answer too, not only on connection failure/timeout. UNCONFIRMED (§1.3, §6.2). Default true. */
  retryOnNon200?: boolean;
  /** Which id starts the MAC: `app_id` (docs, chatwoot) or `oa_id` (some community code). UNCONFIRMED (§1.4). */
  macFirstId?: 'app_id' | 'oa_id';
}

export interface ZaloSend {
  userId: string;
  message: Json;
  accessToken: string;
  at: number;
}

/** Event builders: string ids, string ms timestamp, `app_id`, sender/recipient or follower (§1.5). */
export interface ZaloEventBuilders {
  /** `user_send_text` from `userId` (string ids, string ms timestamp, §1.5). */
  text(userId: string, text: string, msgId?: string): Json;
  /** `user_send_image` with one image attachment. */
  image(userId: string): Json;
  sticker(userId: string): Json;
  location(userId: string): Json;
  file(userId: string): Json;
  /** `follow` (uses `follower` and `source`, no sender/recipient, §1.5). */
  follow(userId: string): Json;
  unfollow(userId: string): Json;
  /** `oa_send_text` echo: sender is the OA, recipient the user (§1.5). */
  echo(userId: string, text: string): Json;
  /** `user_received_message` status event (sender is the OA). */
  received(userId: string, msgId: string): Json;
  /** `user_seen_message` status event (sender is the OA). */
  seen(userId: string, msgIds: string[]): Json;
}

export interface ZaloFake extends ZaloEventBuilders {
  /** Base URL standing in for both `https://openapi.zalo.me` and `https://oauth.zaloapp.com`. */
  url: string;
  appId: string;
  appSecret: string;
  oaSecretKey: string;
  oaId: string;
  /** The underlying server: `requests` log and `failNext` injection. */
  server: FakeServer;
  /** The currently valid pair (the fake issues an initial pair at start). */
  tokens: { accessToken: string; refreshToken: string };
  /** Successful refreshes so far. */
  refreshCount: number;
  /** Accepted CS messages, in order. */
  sent: ZaloSend[];
  /** Refused calls (CS and OAuth), with the request body and the error the fake answered. */
  rejected: { body: Json; error: number; message: string }[];
  /**
   * Posts the event as JSON with `X-ZEvent-Signature: mac=` + sha256hex(app_id + exactRawBody +
   * timestamp + oaSecretKey) (plain SHA-256, NOT HMAC, §1.4). Records the user's interaction time
   * (opens the 7-day window) for user_* and follow events. Retries the identical body with a
   * `num_retry: n` header on non-200/network error/timeout, up to `webhookRetries` (§1.3).
   * `status` is 0 when the last attempt got no answer.
   */
  deliver(
    webhookUrl: string,
    event: Json,
    opts?: { badSignature?: boolean; noSignature?: boolean },
  ): Promise<{ status: number; attempts: number; ms: number }>;
  /** Pretends the user last interacted at this time (epoch ms). */
  setLastInteraction(userId: string, at: number): void;
  /** Expires the current access token now (the API then answers -220). */
  expireAccessToken(): void;
  close(): Promise<void>;
}

/** OAuth error codes. The real codes are UNCONFIRMED (§1.2); these are plausible -14xxx guesses. */
export const ZALO_OAUTH_ERRORS = {
  invalidSecret: -14002,
  invalidParameter: -14003,
  invalidRefreshToken: -14014,
} as const;

const DAY_MS = 24 * 60 * 60 * 1000;
const WINDOW_MS = 7 * DAY_MS; // §1.7: CS messages need an interaction in the last 7 days
const REFRESH_TTL_MS = 90 * DAY_MS; // §1.2: refresh token lives 3 months
/** Sample attachment payloads (§1.5). Whether coordinates are strings or numbers is UNCONFIRMED. */
const SAMPLES: Record<'image' | 'sticker' | 'location' | 'file', Json> = {
  image: { thumbnail: 'https://zalo.example/t.jpg', url: 'https://zalo.example/i.jpg' },
  sticker: { id: 'bfe7b1b9a4fc4da214ed', url: 'https://zalo.example/s.png' },
  location: { coordinates: { latitude: '10.7769', longitude: '106.7009' } },
  file: {
    size: '2048',
    name: 'hợp đồng.pdf',
    checksum: 'c0ffee',
    type: 'pdf',
    url: 'https://zalo.example/f.pdf',
  },
};

type Opts = Required<ZaloFakeOptions>;
const token = (): string => randomBytes(24).toString('base64url');
const msgId = (): string => randomBytes(10).toString('hex');
/** Zalo ids are numeric strings, often beyond 2^53 (§1.5). */
const numericId = (): string => BigInt(`0x${randomBytes(8).toString('hex')}`).toString();
const sha256 = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Length in code points; whether Zalo counts UTF-16 units instead is unknown. */
const len = (s: string): number => [...s].length;

function withDefaults(options: ZaloFakeOptions): Opts {
  return {
    appId: '360846524940903967',
    appSecret: `app-secret-${token()}`,
    oaSecretKey: `oa-secret-${token()}`,
    oaId: '388613280878808645',
    accessTokenTtlSeconds: 90_000,
    now: () => Date.now(),
    textLimit: 2000,
    buttonLimit: 5,
    buttonTitleLimit: 100,
    webhookRetries: 2,
    webhookRetryDelayMs: 50,
    webhookTimeoutMs: 2000,
    unfollowBlocks: true,
    retryOnNon200: true,
    macFirstId: 'app_id',
    ...options,
  };
}

/** §1.6: text ≤ textLimit; buttons ≤ buttonLimit, titles ≤ buttonTitleLimit. Returns the bad field (-201 names it). */
function invalidField(message: Json, o: Opts): string | undefined {
  if (!message || typeof message !== 'object') return 'message';
  const { text, attachment } = message;
  if (text === undefined && attachment === undefined) return 'message.text';
  if (text !== undefined && typeof text !== 'string') return 'message.text';
  if (text !== undefined && len(text) > o.textLimit)
    return `message.text (max ${o.textLimit} chars)`;
  const buttons = attachment?.payload?.buttons;
  const where = 'message.attachment.payload.buttons';
  if (buttons === undefined) return undefined;
  if (!Array.isArray(buttons)) return where;
  if (buttons.length > o.buttonLimit) return `${where} (max ${o.buttonLimit})`;
  const bad = buttons.findIndex(
    (b) => typeof b?.title !== 'string' || len(b.title) > o.buttonTitleLimit,
  );
  return bad < 0 ? undefined : `${where}[${bad}].title (max ${o.buttonTitleLimit} chars)`;
}

/** §1.4: "mac=" + plain SHA-256 hex (not HMAC) of first id + exact raw body + body timestamp + OA secret. */
function signature(raw: string, event: Json, o: Opts, bad: boolean): string {
  const first = o.macFirstId === 'oa_id' ? (event.oa_id ?? o.oaId) : (event.app_id ?? o.appId);
  const secret = bad ? `${o.oaSecretKey}-wrong` : o.oaSecretKey;
  return `mac=${sha256(`${first}${raw}${event.timestamp ?? ''}${secret}`)}`;
}

/** One POST; 0 when no answer came (refused, reset, or past the 2 s deadline, §1.3). */
async function postOnce(
  url: string,
  raw: string,
  headers: Record<string, string>,
  timeoutMs: number,
) {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: raw,
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.arrayBuffer().catch(() => undefined);
    return res.status;
  } catch {
    return 0;
  }
}

/** §1.3: the identical body again, with `num_retry: n`, until a 200 or the retries run out. */
async function postWithRetries(url: string, raw: string, headers: Record<string, string>, o: Opts) {
  const started = performance.now();
  let status = 0;
  let attempts = 0;
  for (let n = 0; n <= o.webhookRetries; n++) {
    if (n > 0) await sleep(o.webhookRetryDelayMs);
    const retry: Record<string, string> = n > 0 ? { num_retry: String(n) } : {};
    attempts++;
    status = await postOnce(url, raw, { ...headers, ...retry }, o.webhookTimeoutMs);
    if (status === 200 || (status !== 0 && !o.retryOnNon200)) break;
  }
  return { status, attempts, ms: performance.now() - started };
}

/** §1.5 event shapes: string ids, string ms timestamp, `app_id`; follow events use `follower` + `source`. */
function eventBuilders(o: Opts): ZaloEventBuilders {
  const byApp = new Map<string, string>(); // `user_id_by_app`: a second, stable id per user
  const appUserId = (u: string) => byApp.get(u) ?? (byApp.set(u, numericId()).get(u) as string);
  const stamp = () => String(o.now());
  const fromUser = (name: string, u: string, message: Json) => ({
    app_id: o.appId,
    sender: { id: u },
    user_id_by_app: appUserId(u),
    recipient: { id: o.oaId },
    event_name: name,
    message: { msg_id: msgId(), ...message },
    timestamp: stamp(),
  });
  const media = (kind: keyof typeof SAMPLES) => (u: string) =>
    fromUser(`user_send_${kind}`, u, { attachments: [{ type: kind, payload: SAMPLES[kind] }] });
  const follower = (name: string) => (u: string) => ({
    oa_id: o.oaId,
    follower: { id: u },
    user_id_by_app: appUserId(u),
    event_name: name,
    source: 'oa_profile',
    app_id: o.appId,
    timestamp: stamp(),
  });
  const fromOa = (name: string, u: string, message: Json) => ({
    app_id: o.appId,
    sender: { id: o.oaId },
    recipient: { id: u },
    event_name: name,
    message,
    timestamp: stamp(),
  });
  return {
    text: (u, text, id) => fromUser('user_send_text', u, { text, ...(id ? { msg_id: id } : {}) }),
    image: media('image'),
    sticker: media('sticker'),
    location: media('location'),
    file: media('file'),
    follow: follower('follow'),
    unfollow: follower('unfollow'),
    echo: (u, text) => fromOa('oa_send_text', u, { text, msg_id: msgId() }),
    received: (u, id) => fromOa('user_received_message', u, { msg_id: id }),
    seen: (u, ids) => fromOa('user_seen_message', u, { msg_ids: ids }),
  };
}

export async function startZaloFake(options: ZaloFakeOptions = {}): Promise<ZaloFake> {
  const o = withDefaults(options);
  const now = o.now;
  const issue = () => ({
    accessToken: token(),
    refreshToken: token(),
    issuedAt: now(),
    forcedExpired: false,
  });
  let current = issue();
  let refreshCount = 0;
  const lastInteraction = new Map<string, number>();
  const unfollowed = new Set<string>();
  const sent: ZaloSend[] = [];
  const rejected: ZaloFake['rejected'] = [];

  /** §1.1: errors come as HTTP 200 with a negative `error` in the body. */
  const csError = (body: Json, error: number, message: string): FakeResponse => {
    rejected.push({ body, error, message });
    return { status: 200, body: { error, message } };
  };

  /** §1.2: a stale or unknown token is -216; the current one past its TTL (or forced) is -220. */
  function tokenError(given: unknown): [number, string] | undefined {
    if (given !== current.accessToken) return [-216, 'Access token is invalid'];
    const expired = now() >= current.issuedAt + o.accessTokenTtlSeconds * 1000;
    if (current.forcedExpired || expired) return [-220, 'access_token is expired or removed'];
    return undefined;
  }

  function sendCs(req: FakeRequest): FakeResponse {
    const body = req.body as Json;
    const tokenErr = tokenError(req.headers.access_token); // §1.1: header `access_token`, not Bearer
    if (tokenErr) return csError(body, ...tokenErr);
    const userId = body?.recipient?.user_id;
    if (typeof userId !== 'string' || !userId)
      return csError(body, -201, 'Parameter is invalid: recipient.user_id');
    const field = invalidField(body.message, o);
    if (field) return csError(body, -201, `Parameter is invalid: ${field}`);
    if (o.unfollowBlocks && unfollowed.has(userId)) {
      return csError(body, -213, 'User has not followed the OA'); // §1.8, UNCONFIRMED
    }
    const last = lastInteraction.get(userId);
    if (last === undefined || now() - last > WINDOW_MS) {
      return csError(body, -230, 'User has not interacted with the OA in the past 7 days'); // §1.7
    }
    sent.push({ userId, message: body.message, accessToken: current.accessToken, at: now() });
    const data = { message_id: randomBytes(16).toString('hex'), user_id: userId };
    return { status: 200, body: { error: 0, message: 'Success', data } }; // §1.6
  }

  /** §1.2: OAuth errors carry `error` + error_name/error_description/error_reason, still HTTP 200. */
  const oauthError = (body: Json, error: number, text: string): FakeResponse => {
    rejected.push({ body, error, message: text });
    return {
      status: 200,
      body: { error, error_name: text, error_description: text, error_reason: text },
    };
  };

  function refresh(req: FakeRequest): FakeResponse {
    const body = req.body as Json;
    const E = ZALO_OAUTH_ERRORS;
    // §1.2: the App Secret travels in a `secret_key` header, the rest as a form.
    if (req.headers.secret_key !== o.appSecret)
      return oauthError(body, E.invalidSecret, 'Invalid secret key');
    const isForm = req.headers['content-type']?.includes('application/x-www-form-urlencoded');
    if (!isForm || body?.app_id !== o.appId || body?.grant_type !== 'refresh_token') {
      return oauthError(body, E.invalidParameter, 'Invalid parameter');
    }
    // §1.2: a refresh token is single-use and lives 3 months; any older one is dead.
    const live = now() < current.issuedAt + REFRESH_TTL_MS;
    if (body.refresh_token !== current.refreshToken || !live) {
      return oauthError(body, E.invalidRefreshToken, 'Invalid refresh token');
    }
    current = issue(); // the old access token now answers -216
    refreshCount++;
    // §1.2: no `error` key on success, and `expires_in` is a string.
    const { accessToken: access_token, refreshToken: refresh_token } = current;
    return {
      status: 200,
      body: { access_token, refresh_token, expires_in: String(o.accessTokenTtlSeconds) },
    };
  }

  const server = await startFakeServer({
    'POST /v3.0/oa/message/cs': sendCs,
    'POST /v4/oa/access_token': refresh,
  });

  /** Updates follow state and the 7-day window from an event, as Zalo would (§1.7, §1.8). */
  function noteEvent(event: Json): void {
    const name = String(event?.event_name ?? '');
    const userId = event?.follower?.id ?? event?.sender?.id;
    if (typeof userId !== 'string') return;
    if (name === 'unfollow') unfollowed.add(userId);
    if (name === 'follow') unfollowed.delete(userId);
    // Echoes and user_received/seen_message have the OA as sender (§1.5), so they open no window.
    if (name === 'follow' || (name.startsWith('user_') && userId !== o.oaId)) {
      const at = Number(event.timestamp); // the interaction happened when the event says
      lastInteraction.set(userId, Number.isFinite(at) ? at : now());
    }
  }

  return {
    url: server.url,
    appId: o.appId,
    appSecret: o.appSecret,
    oaSecretKey: o.oaSecretKey,
    oaId: o.oaId,
    server,
    get tokens() {
      return { accessToken: current.accessToken, refreshToken: current.refreshToken };
    },
    get refreshCount() {
      return refreshCount;
    },
    sent,
    rejected,
    ...eventBuilders(o),
    async deliver(webhookUrl, event, opts = {}) {
      noteEvent(event);
      const raw = JSON.stringify(event); // signed and sent byte-for-byte, identical on retries
      const headers: Record<string, string> = {};
      if (!opts.noSignature)
        headers['X-ZEvent-Signature'] = signature(raw, event, o, !!opts.badSignature);
      return postWithRetries(webhookUrl, raw, headers, o);
    },
    setLastInteraction: (userId, at) => void lastInteraction.set(userId, at),
    expireAccessToken: () => {
      current.forcedExpired = true;
    },
    close: () => server.close(),
  };
}
