import { createHmac, randomBytes } from 'node:crypto';
import {
  type FakeRequest,
  type FakeResponse,
  type FakeServer,
  postWebhook,
  startFakeServer,
} from './fake-server.js';

/**
 * A local LINE Messaging API (reply, push, loading animation) plus a webhook sender, faithful to
 * /work/shared/reference/channels.md §3 (esp. §3.8) and §5. The bot's real `@line/bot-sdk`
 * `MessagingApiClient` points its `baseURL` here (§3.1), and its `middleware` verifies what
 * `deliver` sends (§3.2–3.3).
 */

// biome-ignore lint/suspicious/noExplicitAny: LINE JSON (events, message objects) is free-form in tests.
type Json = any;

export interface LineFakeOptions {
  /** Channel secret used to sign webhooks; random when omitted. */
  channelSecret?: string;
  /** The only Bearer token the API accepts; random when omitted. */
  channelAccessToken?: string;
  /** Reply-token lifetime (§3.5: 1 minute). Default 60000. */
  replyTokenTtlMs?: number;
  /** Monthly push allowance in messages (§3.5). Default Infinity. */
  pushQuota?: number;
  /** Max quick-reply action label length. Default 20 (UNCONFIRMED, §3.6). */
  labelLimit?: number;
  /** Redelivery attempts after a failed delivery (schedule UNCONFIRMED, §3.7). Default 2. */
  webhookRetries?: number;
  /** Pause before each redelivery. Default 50. */
  webhookRetryDelayMs?: number;
  /** How long a webhook POST may take before it counts as failed (UNCONFIRMED, §3.7). Default 20000. */
  webhookTimeoutMs?: number;
  /** loadingSeconds when the request omits it (UNCONFIRMED, §3.6). Default 20. */
  loadingDefaultSeconds?: number;
}

/** One accepted reply or push request. */
export interface LineSend {
  via: 'reply' | 'push';
  to?: string;
  replyToken?: string;
  messages: Json[];
  retryKey?: string;
  at: number;
}

export interface LineFake {
  /** Base URL to pass as the SDK's `baseURL`. */
  url: string;
  /** Secret that signs webhooks (give it to `middleware({ channelSecret })`). */
  channelSecret: string;
  /** The Bearer token the API accepts. */
  channelAccessToken: string;
  /** The bot's user id, sent as `destination` in every webhook body. */
  destination: string;
  /** The underlying server: request log and `failNext` (5xx, 429 rate limit, dropped connection). */
  server: FakeServer;
  /** Accepted reply and push requests, in order. */
  sent: LineSend[];
  /** Messages (not requests) pushed, counted against the quota. */
  readonly pushCount: number;
  /** Accepted loading-animation requests. */
  loadingStarts: { chatId: string; loadingSeconds: number }[];
  /** Requests the fake refused by a platform rule (not injected failures). */
  rejected: { path: string; status: number; body: Json }[];
  /** A text message event with a fresh reply token. */
  text(userId: string, text: string): Json;
  /** A postback event with a fresh reply token. */
  postback(userId: string, data: string): Json;
  /** A sticker message event with a fresh reply token. */
  sticker(userId: string): Json;
  /** An image message event with a fresh reply token. */
  image(userId: string): Json;
  /** A location message event with a fresh reply token. */
  location(userId: string): Json;
  /** A follow event with a fresh reply token. */
  follow(userId: string): Json;
  /** An unfollow event (no reply token, §3.4). */
  unfollow(userId: string): Json;
  /**
   * Posts `{destination, events}` signed with `x-line-signature`; on non-2xx or network error,
   * redelivers with `isRedelivery: true` and the same `webhookEventId` up to `webhookRetries` times.
   * `status` is the last attempt's (0 for a network error or timeout); `ms` covers all attempts.
   */
  deliver(
    webhookUrl: string,
    events: Json[],
    opts?: { badSignature?: boolean; noSignature?: boolean },
  ): Promise<{ status: number; attempts: number; ms: number }>;
  /** Makes every reply token issued so far expired. */
  expireReplyTokens(): void;
  close(): Promise<void>;
}

type Detail = { message: string; property: string };
type Handler = (req: FakeRequest, requestId: string) => FakeResponse;
type DeliverOpts = { badSignature?: boolean; noSignature?: boolean };
type Book = Pick<LineFake, 'sent' | 'loadingStarts' | 'rejected'> & { pushCount: number };
type Tokens = Map<string, { issuedAt: number; used: boolean }>;

// §3.6 / messaging-api.yml limits.
const MAX_MESSAGES = 5;
const MAX_TEXT = 5000;
const MAX_QUICK_REPLY_ITEMS = 13;
const AUTH_FAILED =
  'Authentication failed. Confirm that the access token in the authorization header is valid.';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function startLineFake(options: LineFakeOptions = {}): Promise<LineFake> {
  const channelSecret = options.channelSecret ?? randomHex(16);
  const channelAccessToken = options.channelAccessToken ?? `line-fake-${randomHex(16)}`;
  const destination = `U${randomHex(16)}`;
  const book: Book = { sent: [], pushCount: 0, loadingStarts: [], rejected: [] };
  const tokens: Tokens = new Map();
  const labelLimit = options.labelLimit ?? 20;

  /** Auth (§3.6 channel tokens), a request id header, and the `rejected` log around each route. */
  const guarded =
    (handler: Handler) =>
    (req: FakeRequest): FakeResponse => {
      const requestId = randomHex(16);
      const out =
        req.headers.authorization === `Bearer ${channelAccessToken}`
          ? handler(req, requestId)
          : { status: 401, body: { message: AUTH_FAILED } };
      if (out.status >= 400)
        book.rejected.push({ path: req.path, status: out.status, body: out.body });
      return { ...out, headers: { 'x-line-request-id': requestId, ...out.headers } };
    };

  const server = await startFakeServer({
    'POST /v2/bot/message/reply': guarded(
      replyRoute(book, tokens, options.replyTokenTtlMs ?? 60_000, labelLimit),
    ),
    'POST /v2/bot/message/push': guarded(
      pushRoute(book, options.pushQuota ?? Number.POSITIVE_INFINITY, labelLimit),
    ),
    'POST /v2/bot/chat/loading/start': guarded(
      loadingRoute(book, options.loadingDefaultSeconds ?? 20),
    ),
  });

  return {
    url: server.url,
    channelSecret,
    channelAccessToken,
    destination,
    server,
    sent: book.sent,
    get pushCount() {
      return book.pushCount;
    },
    loadingStarts: book.loadingStarts,
    rejected: book.rejected,
    ...eventBuilders(tokens),
    deliver: deliverer(options, destination, channelSecret),
    expireReplyTokens() {
      for (const token of tokens.values()) token.issuedAt = Number.NEGATIVE_INFINITY;
    },
    close: () => server.close(),
  };
}

/** §3.5 reply: a known token, unused, younger than the TTL; only success consumes it. */
function replyRoute(book: Book, tokens: Tokens, ttlMs: number, labelLimit: number): Handler {
  return (req) => {
    const body = asObject(req.body);
    if (!body) return unparsable();
    const details = checkMessages(body.messages, labelLimit);
    if (typeof body.replyToken !== 'string' || body.replyToken === '') {
      details.unshift({ message: 'Must not be empty', property: 'replyToken' });
    }
    if (details.length > 0) return invalid(details);
    const token = tokens.get(body.replyToken);
    if (!token || token.used || Date.now() - token.issuedAt > ttlMs) {
      return { status: 400, body: { message: 'Invalid reply token' } };
    }
    token.used = true;
    const messages = body.messages as Json[];
    book.sent.push({ via: 'reply', replyToken: body.replyToken, messages, at: Date.now() });
    return { status: 200, body: { sentMessages: sentMessages(messages) } };
  };
}

/** §3.5 push: `to` required, X-Line-Retry-Key idempotency (409), monthly quota (429). */
function pushRoute(book: Book, quota: number, labelLimit: number): Handler {
  const accepted = new Map<string, { requestId: string; sentMessages: Json[] }>();
  return (req, requestId) => {
    const retryKey = headerValue(req, 'x-line-retry-key');
    // LINE API reference: the retry key must be a UUID.
    if (retryKey !== undefined && !UUID.test(retryKey)) {
      return {
        status: 400,
        body: { message: "The value for the 'X-Line-Retry-Key' header is invalid" },
      };
    }
    // §3.5: a duplicate of an accepted request is 409, naming the accepted request.
    const prior = retryKey === undefined ? undefined : accepted.get(retryKey);
    if (prior) {
      return {
        status: 409,
        body: { message: 'The retry key is already accepted', sentMessages: prior.sentMessages },
        headers: { 'x-line-accepted-request-id': prior.requestId },
      };
    }
    const body = asObject(req.body);
    if (!body) return unparsable();
    const details = checkMessages(body.messages, labelLimit);
    if (typeof body.to !== 'string' || body.to === '') {
      details.unshift({ message: 'Must not be empty', property: 'to' });
    }
    if (details.length > 0) return invalid(details);
    const messages = body.messages as Json[];
    // §3.5: push counts (in messages) against the monthly allowance; over it, nothing is sent.
    if (book.pushCount + messages.length > quota) {
      return { status: 429, body: { message: 'You have reached your monthly limit.' } };
    }
    book.pushCount += messages.length;
    book.sent.push({ via: 'push', to: body.to, messages, retryKey, at: Date.now() });
    const sent = sentMessages(messages);
    if (retryKey !== undefined) accepted.set(retryKey, { requestId, sentMessages: sent });
    return { status: 200, body: { sentMessages: sent } };
  };
}

/** §3.6 loading animation: user chats only, 5..60 s in steps of 5, 202 `{}`. */
function loadingRoute(book: Book, defaultSeconds: number): Handler {
  return (req) => {
    const body = asObject(req.body);
    if (!body) return unparsable();
    const seconds = body.loadingSeconds ?? defaultSeconds;
    const details: Detail[] = [];
    if (typeof body.chatId !== 'string' || !body.chatId.startsWith('U')) {
      details.push({ message: 'Must be a user ID', property: 'chatId' });
    }
    if (!Number.isInteger(seconds) || seconds < 5 || seconds > 60 || seconds % 5 !== 0) {
      details.push({ message: 'Must be a multiple of 5 from 5 to 60', property: 'loadingSeconds' });
    }
    if (details.length > 0) return invalid(details);
    book.loadingStarts.push({ chatId: body.chatId, loadingSeconds: seconds });
    return { status: 202, body: {} };
  };
}

type Builders = 'text' | 'postback' | 'sticker' | 'image' | 'location' | 'follow' | 'unfollow';

/**
 * §3.4 events (quoteToken only on text/sticker/image, per webhook.yml); every replyable event's
 * token is registered at issue time (§3.5).
 */
function eventBuilders(tokens: Tokens): Pick<LineFake, Builders> {
  const event = (userId: string, type: string, replyable: boolean): Json => {
    const base: Json = {
      type,
      timestamp: Date.now(),
      mode: 'active',
      source: { type: 'user', userId },
      webhookEventId: ulid(),
      deliveryContext: { isRedelivery: false },
    };
    if (replyable) {
      base.replyToken = randomHex(16);
      tokens.set(base.replyToken, { issuedAt: Date.now(), used: false });
    }
    return base;
  };
  const message = (userId: string, content: Json): Json => ({
    ...event(userId, 'message', true),
    message: { id: numericId(), ...content },
  });
  return {
    text: (userId, text) => message(userId, { type: 'text', quoteToken: quoteToken(), text }),
    postback: (userId, data) => ({ ...event(userId, 'postback', true), postback: { data } }),
    sticker: (userId) =>
      message(userId, {
        type: 'sticker',
        quoteToken: quoteToken(),
        packageId: '446',
        stickerId: '1988',
        stickerResourceType: 'STATIC',
      }),
    image: (userId) =>
      message(userId, {
        type: 'image',
        quoteToken: quoteToken(),
        contentProvider: { type: 'line' },
      }),
    location: (userId) =>
      message(userId, {
        type: 'location',
        address: 'Mỹ Đình, Hà Nội',
        latitude: 21.03,
        longitude: 105.78,
      }),
    follow: (userId) => ({ ...event(userId, 'follow', true), follow: { isUnblocked: false } }),
    unfollow: (userId) => event(userId, 'unfollow', false),
  };
}

/** §3.2 signing and §3.7 redelivery (failure = no response or non-2xx). */
function deliverer(
  options: LineFakeOptions,
  destination: string,
  secret: string,
): LineFake['deliver'] {
  const postOnce = async (url: string, events: Json[], opts: DeliverOpts): Promise<number> => {
    // §3.2/§5: sign the exact bytes that go on the wire.
    const raw = JSON.stringify({ destination, events });
    const headers: Record<string, string> = {};
    if (!opts.noSignature)
      headers['x-line-signature'] = sign(opts.badSignature ? `${secret}x` : secret, raw);
    try {
      return (await postWebhook(url, raw, headers, options.webhookTimeoutMs ?? 20_000)).status;
    } catch {
      return 0;
    }
  };
  return async (webhookUrl, events, opts = {}) => {
    const started = performance.now();
    let attempts = 1;
    let status = await postOnce(webhookUrl, events, opts);
    while ((status < 200 || status > 299) && attempts <= (options.webhookRetries ?? 2)) {
      await new Promise((r) => setTimeout(r, options.webhookRetryDelayMs ?? 50));
      // §3.7: the same events (same webhookEventId), flagged as a redelivery and re-signed.
      const again = events.map((e) => ({ ...e, deliveryContext: { isRedelivery: true } }));
      status = await postOnce(webhookUrl, again, opts);
      attempts++;
    }
    return { status, attempts, ms: performance.now() - started };
  };
}

/** §3.6: 1..5 message objects, text ≤ 5000, quick reply ≤ 13 items, labels ≤ labelLimit. */
function checkMessages(messages: unknown, labelLimit: number): Detail[] {
  if (!Array.isArray(messages) || messages.length < 1 || messages.length > MAX_MESSAGES) {
    return [{ message: `Size must be between 1 and ${MAX_MESSAGES}`, property: 'messages' }];
  }
  return messages.flatMap((m, i) => checkMessage(m, `messages[${i}]`, labelLimit));
}

function checkMessage(m: unknown, at: string, labelLimit: number): Detail[] {
  const msg = asObject(m);
  if (typeof msg?.type !== 'string')
    return [{ message: 'Must not be null', property: `${at}.type` }];
  const out: Detail[] = [];
  // Lengths count UTF-16 code units, as LINE's JVM back end is assumed to (stricter for emoji).
  const text = msg.type === 'text' ? msg.text : undefined;
  if (msg.type === 'text' && (typeof text !== 'string' || text === '')) {
    out.push({ message: 'Must not be empty', property: `${at}.text` });
  } else if (typeof text === 'string' && text.length > MAX_TEXT) {
    out.push({ message: `Length must be between 0 and ${MAX_TEXT}`, property: `${at}.text` });
  }
  if (msg.quickReply !== undefined)
    out.push(...checkQuickReply(msg.quickReply, `${at}.quickReply`, labelLimit));
  return out;
}

function checkQuickReply(quickReply: unknown, at: string, labelLimit: number): Detail[] {
  const items = asObject(quickReply)?.items;
  if (!Array.isArray(items) || items.length < 1 || items.length > MAX_QUICK_REPLY_ITEMS) {
    return [
      { message: `Size must be between 1 and ${MAX_QUICK_REPLY_ITEMS}`, property: `${at}.items` },
    ];
  }
  return items.flatMap((item, j): Detail[] => {
    const action = asObject(asObject(item)?.action);
    const property = `${at}.items[${j}].action`;
    if (!action) return [{ message: 'Must not be null', property }];
    const tooLong = typeof action.label === 'string' && action.label.length > labelLimit;
    return tooLong
      ? [{ message: `Length must be between 0 and ${labelLimit}`, property: `${property}.label` }]
      : [];
  });
}

/** §5: LINE errors are 4xx `{message, details}`. */
function invalid(details: Detail[]): FakeResponse {
  return {
    status: 400,
    body: { message: `The request body has ${details.length} error(s)`, details },
  };
}

function unparsable(): FakeResponse {
  return { status: 400, body: { message: 'The request body could not be parsed as JSON' } };
}

function sentMessages(messages: Json[]): Json[] {
  return messages.map(() => ({ id: numericId(), quoteToken: quoteToken() }));
}

function asObject(value: unknown): Record<string, Json> | undefined {
  const isObject = value !== null && typeof value === 'object' && !Array.isArray(value);
  return isObject ? (value as Record<string, Json>) : undefined;
}

function headerValue(req: FakeRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** §3.2: base64(HMAC-SHA256(channelSecret, rawBody)), no prefix. */
function sign(secret: string, raw: string): string {
  return createHmac('sha256', secret).update(raw).digest('base64');
}

function randomHex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

function quoteToken(): string {
  return randomBytes(48).toString('base64url');
}

let idSeq = 0;
/** 18-digit numeric ids, like `468789577898262530` (§3.4). */
function numericId(): string {
  idSeq = (idSeq + 1) % 100_000;
  return `${Date.now()}${String(idSeq).padStart(5, '0')}`;
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** A ULID: 10 chars of millisecond time then 16 random chars, Crockford base32 (§3.4). */
function ulid(): string {
  let time = '';
  for (let t = Date.now(), i = 0; i < 10; i++, t = Math.floor(t / 32)) {
    time = CROCKFORD.charAt(t % 32) + time;
  }
  return time + [...randomBytes(16)].map((b) => CROCKFORD.charAt(b % 32)).join('');
}
