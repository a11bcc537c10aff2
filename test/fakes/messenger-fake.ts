import { createHmac, randomBytes, randomInt } from 'node:crypto';
import {
  type FakeRequest,
  type FakeResponse,
  type FakeServer,
  postWebhook,
  startFakeServer,
} from './fake-server.js';

/**
 * A local stand-in for the Facebook Messenger Platform: the Graph Send API the bot calls, and
 * the webhook side (GET handshake, signed POSTs with retries) that calls the bot.
 * Facts: /work/shared/reference/channels.md §2 (what to simulate: §2.7) and §5.
 */

export interface MessengerFakeOptions {
  /** Key of the webhook HMAC (§2.2). */
  appSecret?: string;
  /** The only `access_token` the Send API accepts (§2.5). */
  pageAccessToken?: string;
  /** What `verify()` sends as `hub.verify_token` (§2.1). */
  verifyToken?: string;
  /** Graph version in the Send API path (§2.5: the current docs use v25.0). */
  graphVersion?: string;
  /** Page id: `recipient.id` of inbound events and `entry[].id`. */
  pageId?: string;
  /** Our app's id, put in `message.app_id` of echoes (§2.3). */
  appId?: string;
  /** Clock for event timestamps and the messaging windows (ms). */
  now?: () => number;
  /** Retries after the first attempt. §2.4: the real schedule is UNCONFIRMED ("until successfully completed"). */
  webhookRetries?: number;
  /** Pause between webhook attempts (default 50 ms; the real schedule is UNCONFIRMED). */
  webhookRetryDelayMs?: number;
  /** §2.4: 20 s per the FAQ; some 2026 guides say 5 s (UNCONFIRMED which is current). */
  webhookTimeoutMs?: number;
  /** §2.5: `message_id` in the success body is standard but UNCONFIRMED. Default true. */
  includeMessageId?: boolean;
  /** §2.7.4: when set, every accepted send is echoed (is_echo) to this webhook URL. */
  echoWebhookUrl?: string;
}

// biome-ignore lint/suspicious/noExplicitAny: request bodies are whatever the bot sent; tests poke at them
type Json = any;

export interface MessengerSend {
  psid: string;
  /** The whole parsed request body. */
  body: Json;
  at: number;
}

export interface GraphError {
  message: string;
  type: string;
  code: number;
  error_subcode?: number;
}

export type AttachmentType = 'image' | 'audio' | 'video' | 'file' | 'location' | 'sticker';

export interface MessengerFake {
  /** Graph base URL, e.g. `http://127.0.0.1:port`; the bot posts to `${url}/${graphVersion}/me/messages`. */
  url: string;
  /** See {@link MessengerFakeOptions.appSecret}; these five are the effective values, defaults filled in. */
  appSecret: string;
  /** See {@link MessengerFakeOptions.pageAccessToken}. */
  pageAccessToken: string;
  /** See {@link MessengerFakeOptions.verifyToken}. */
  verifyToken: string;
  /** See {@link MessengerFakeOptions.pageId}. */
  pageId: string;
  /** See {@link MessengerFakeOptions.graphVersion}. */
  graphVersion: string;
  /** The underlying server: `failNext` for 5xx/429/network faults, `requests` for everything received. */
  server: FakeServer;
  /** Accepted message sends (not sender actions), in order. */
  sent: MessengerSend[];
  /** Accepted `sender_action` requests (typing_on, mark_seen, ...). */
  actions: MessengerSend[];
  /** Send API requests refused with a Graph error, and the error returned. */
  rejected: { body: Json; error: GraphError }[];
  /** A user text message event (`messaging[]` item); `mid` auto-generated unless given. */
  text(psid: string, text: string, mid?: string): object;
  /** A quick-reply tap: text = the button title plus `quick_reply.payload` (§2.3). */
  quickReply(psid: string, title: string, payload: string, mid?: string): object;
  /** A postback (button / Get Started); carries `postback.mid` (§2.3). Title defaults to the payload. */
  postback(psid: string, payload: string, title?: string, mid?: string): object;
  /** An attachment message with realistic shapes; a sticker is an image with `sticker_id`. */
  attachment(psid: string, type: AttachmentType, mid?: string): object;
  /** An echo (sender = page). `appId` defaults to ours; pass `null` (no app) for a human in the Page Inbox. */
  echo(psid: string, text: string, appId?: string | null): object;
  /**
   * POSTs `{"object":"page","entry":[...]}` signed with `X-Hub-Signature-256` (and legacy `X-Hub-Signature`)
   * over the exact bytes; non-ASCII is escaped as `\uXXXX` like Meta. `entries` > 1 splits the events over
   * that many entry objects. Records each user's last-message time. Retries the same bytes on non-2xx or
   * network error up to `webhookRetries` times. Status 0 means the last attempt got no HTTP answer;
   * `ms` is how long the last attempt took.
   */
  deliver(
    webhookUrl: string,
    events: object[],
    opts?: { badSignature?: boolean; noSignature?: boolean; entries?: number },
  ): Promise<{ status: number; attempts: number; ms: number }>;
  /** The GET verification handshake (§2.1); token defaults to `verifyToken`. */
  verify(
    webhookUrl: string,
    token?: string,
    challenge?: string,
  ): Promise<{ status: number; body: string }>;
  /** Pretends the user's last message was at this time (for the 24 h / 7 day windows). */
  setLastUserMessage(psid: string, at: number): void;
  /** The user blocked the page: sends to them then fail with code 551. */
  block(psid: string): void;
  /** Stops the server after pending echo deliveries settle. */
  close(): Promise<void>;
}

const HOUR = 3_600_000;
// §2.5: message tags; only HUMAN_AGENT opens anything beyond 24 h here (7 days).
const TAGS = [
  'CONFIRMED_EVENT_UPDATE',
  'POST_PURCHASE_UPDATE',
  'ACCOUNT_UPDATE',
  'CUSTOMER_FEEDBACK',
  'HUMAN_AGENT',
];
const SENDER_ACTIONS = ['typing_on', 'typing_off', 'mark_seen', 'react', 'unreact'];

interface State {
  cfg: { pageAccessToken: string };
  options: MessengerFakeOptions;
  now: () => number;
  lastUser: Map<string, number>;
  blocked: Set<string>;
  sent: MessengerSend[];
  actions: MessengerSend[];
  rejected: MessengerFake['rejected'];
  nextMessageId: () => string;
  onAccepted: (psid: string, messageId: string, message: object) => void;
}

export async function startMessengerFake(
  options: MessengerFakeOptions = {},
): Promise<MessengerFake> {
  const cfg = {
    appSecret: options.appSecret ?? 'messenger-app-secret',
    pageAccessToken: options.pageAccessToken ?? 'messenger-page-token',
    verifyToken: options.verifyToken ?? 'messenger-verify-token',
    graphVersion: options.graphVersion ?? 'v25.0',
    pageId: options.pageId ?? '100000000000001',
    appId: options.appId ?? '1517776481860111',
  };
  const timeoutMs = options.webhookTimeoutMs ?? 20_000;
  const now = options.now ?? Date.now;
  const pending = new Set<Promise<unknown>>();
  let sendSeq = 0;
  const state: State = {
    cfg,
    options,
    now,
    lastUser: new Map(),
    blocked: new Set(),
    sent: [],
    actions: [],
    rejected: [],
    nextMessageId: () => `m_${++sendSeq}`,
    // §2.7.4: an echo webhook for every accepted send (when asked); fire-and-forget, awaited by close().
    onAccepted: (psid, mid, message) => {
      if (!options.echoWebhookUrl) return;
      const echo = builders.fromPage(psid, { app_id: Number(cfg.appId), mid, ...message });
      const p = fake.deliver(options.echoWebhookUrl, [echo]).catch(() => undefined);
      pending.add(p);
      void p.finally(() => pending.delete(p));
    },
  };
  const builders = eventBuilders(cfg.pageId, cfg.appId, now);
  const send = (req: FakeRequest) => handleSend(req, state);
  // §2.5: `/me/messages` or `/<PAGE-ID>/messages`, under the pinned Graph version.
  const server = await startFakeServer({
    [`POST /${cfg.graphVersion}/me/messages`]: send,
    [`POST /${cfg.graphVersion}/${cfg.pageId}/messages`]: send,
  });

  const fake: MessengerFake = {
    url: server.url,
    ...cfg,
    server,
    sent: state.sent,
    actions: state.actions,
    rejected: state.rejected,
    ...builders.api,
    async deliver(webhookUrl, events, opts = {}) {
      recordUserMessages(state.lastUser, events, cfg.pageId, now());
      const entry = splitEntries(events, opts.entries ?? 1, cfg.pageId, now());
      const raw = metaJson({ object: 'page', entry });
      const secret = opts.badSignature ? `${cfg.appSecret}-wrong` : cfg.appSecret;
      const headers = opts.noSignature ? {} : signatureHeaders(secret, raw);
      const retries = options.webhookRetries ?? 2;
      const delayMs = options.webhookRetryDelayMs ?? 50;
      return postWithRetries(webhookUrl, raw, headers, { retries, delayMs, timeoutMs });
    },
    verify: (webhookUrl, token = cfg.verifyToken, challenge = String(randomInt(1e9, 2e9))) =>
      verifyHandshake(webhookUrl, token, challenge, timeoutMs),
    setLastUserMessage: (psid, at) => void state.lastUser.set(psid, at),
    block: (psid) => void state.blocked.add(psid),
    async close() {
      await Promise.allSettled([...pending]);
      await server.close();
    },
  };
  return fake;
}

/** The Send API: token, parameters, blocked user, window, then accept (§2.5). */
function handleSend(req: FakeRequest, s: State): FakeResponse {
  const body: Json = req.body ?? {};
  const fail = (error: GraphError): FakeResponse => {
    s.rejected.push({ body, error });
    return {
      status: 400,
      body: { error: { ...error, fbtrace_id: randomBytes(8).toString('base64url') } },
    };
  };
  // §2.5: the token rides in the query (Graph also takes it in the body); 190 = invalid token.
  if ((req.query.get('access_token') ?? body.access_token) !== s.cfg.pageAccessToken) {
    return fail(oauth(190, 'Invalid OAuth access token - Cannot parse access token'));
  }
  const psid = body.recipient?.id;
  if (typeof psid !== 'string' || !psid) return fail(param('The parameter recipient is required'));
  const isAction = 'sender_action' in body;
  const invalid = isAction ? checkAction(body) : checkMessage(body);
  if (invalid) return fail(param(invalid));
  // §2.5: 551 = "person unavailable" (e.g. they blocked the Page).
  if (s.blocked.has(psid)) return fail(oauth(551, "This person isn't available right now."));
  if (isAction) {
    s.actions.push({ psid, body, at: s.now() });
    return { status: 200, body: { recipient_id: psid } };
  }
  const outside = windowError(body, s.lastUser.get(psid), s.now());
  if (outside) return fail(outside);
  const messageId = s.nextMessageId();
  s.sent.push({ psid, body, at: s.now() });
  s.onAccepted(psid, messageId, body.message);
  // §2.5: message_id in the answer is UNCONFIRMED, hence includeMessageId.
  const id = s.options.includeMessageId === false ? {} : { message_id: messageId };
  return { status: 200, body: { recipient_id: psid, ...id } };
}

/** Inbound event builders (§2.3): `messaging[]` items with sender, recipient, timestamp and a `mid`. */
function eventBuilders(pageId: string, ourAppId: string, now: () => number) {
  let seq = 0;
  const nextMid = () => `m_in_${++seq}_${randomBytes(6).toString('base64url')}`;
  const base = (psid: string) => ({
    sender: { id: psid },
    recipient: { id: pageId },
    timestamp: now(),
  });
  // §2.3: in an echo the sender is the Page and the recipient the user.
  const fromPage = (psid: string, message: object) => ({
    ...base(psid),
    sender: { id: pageId },
    recipient: { id: psid },
    message: { is_echo: true, ...message },
  });
  const api: Pick<MessengerFake, 'text' | 'quickReply' | 'postback' | 'attachment' | 'echo'> = {
    text: (psid, text, mid) => ({ ...base(psid), message: { mid: mid ?? nextMid(), text } }),
    quickReply: (psid, title, payload, mid) => ({
      ...base(psid),
      message: { mid: mid ?? nextMid(), text: title, quick_reply: { payload } },
    }),
    postback: (psid, payload, title, mid) => ({
      ...base(psid),
      postback: { mid: mid ?? nextMid(), title: title ?? payload, payload },
    }),
    attachment: (psid, type, mid) => ({
      ...base(psid),
      message: { mid: mid ?? nextMid(), ...attachmentMessage(type) },
    }),
    // §2.3: a foreign or absent app_id means a human replied from the Page Inbox.
    echo: (psid, text, appId = ourAppId) =>
      fromPage(psid, {
        ...(appId === null ? {} : { app_id: Number(appId) }),
        mid: nextMid(),
        text,
      }),
  };
  return { api, fromPage };
}

/** §2.1: hub.mode is always "subscribe"; the bot must answer 200 with hub.challenge raw, else 403. */
async function verifyHandshake(
  webhookUrl: string,
  token: string,
  challenge: string,
  timeoutMs: number,
) {
  const url = new URL(webhookUrl);
  url.searchParams.set('hub.mode', 'subscribe');
  url.searchParams.set('hub.challenge', challenge);
  url.searchParams.set('hub.verify_token', token);
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  return { status: res.status, body: await res.text() };
}

const oauth = (code: number, message: string, error_subcode?: number): GraphError => ({
  message,
  type: 'OAuthException',
  code,
  ...(error_subcode === undefined ? {} : { error_subcode }),
});
const param = (what: string) => oauth(100, `(#100) ${what}`);

/** §2.5 sender actions: a known action, and "must be sent alone" (no `message`). */
function checkAction(body: Json): string | undefined {
  if (body.message !== undefined) return 'sender_action cannot be sent with a message';
  return SENDER_ACTIONS.includes(body.sender_action)
    ? undefined
    : 'Param sender_action is not valid';
}

/** §2.5 Send API parameter rules; returns the problem, or undefined when the body is acceptable. */
function checkMessage(body: Json): string | undefined {
  // messaging_type is required since May 2018; MESSAGE_TAG needs a known tag.
  if (!['RESPONSE', 'UPDATE', 'MESSAGE_TAG'].includes(body.messaging_type)) {
    return 'Param messaging_type must be one of {RESPONSE, UPDATE, MESSAGE_TAG}';
  }
  if (body.messaging_type === 'MESSAGE_TAG' && !TAGS.includes(body.tag))
    return 'Param tag is not a valid tag';
  const m = body.message;
  if (!m || (m.text === undefined && m.attachment === undefined))
    return 'Param message needs text or attachment';
  // "Must be UTF-8 and less than 2000 characters": counted here in UTF-16 code units (String#length).
  if (m.text !== undefined && (typeof m.text !== 'string' || m.text.length >= 2000)) {
    return 'Param message[text] must be a string of less than 2000 characters';
  }
  // §2.5: metadata < 1000 chars.
  if (typeof m.metadata === 'string' && m.metadata.length >= 1000)
    return 'Param message[metadata] is too long';
  return m.quick_replies === undefined ? undefined : checkQuickReplies(m.quick_replies);
}

/** §2.5 quick replies: at most 13; a text one needs title ≤ 20 and payload ≤ 1000 (UTF-16 units). */
function checkQuickReplies(qrs: Json): string | undefined {
  if (!Array.isArray(qrs) || qrs.length > 13)
    return 'Param message[quick_replies] must have at most 13 items';
  for (const qr of qrs) {
    if (!['text', 'user_phone_number', 'user_email'].includes(qr?.content_type)) {
      return 'Param message[quick_replies][content_type] is not valid';
    }
    if (qr.content_type !== 'text') continue;
    if (typeof qr.title !== 'string' || !qr.title || qr.title.length > 20) {
      return 'Param message[quick_replies][title] must be 1-20 characters';
    }
    if (typeof qr.payload !== 'string' || !qr.payload || qr.payload.length > 1000) {
      return 'Param message[quick_replies][payload] must be 1-1000 characters';
    }
  }
  return undefined;
}

/** §2.5 windows: 24 h from the user's last message, HUMAN_AGENT 7 days; a user who never wrote is outside. */
function windowError(body: Json, last: number | undefined, now: number): GraphError | undefined {
  const age = last === undefined ? Number.POSITIVE_INFINITY : now - last;
  const humanAgent = body.messaging_type === 'MESSAGE_TAG' && body.tag === 'HUMAN_AGENT';
  if (age < 24 * HOUR || (humanAgent && age < 7 * 24 * HOUR)) return undefined;
  return oauth(10, '(#10) This message is sent outside of allowed window.', 2018278);
}

/** The window counts from the user's own messages (their timestamp), never from Page echoes. */
function recordUserMessages(
  lastUser: Map<string, number>,
  events: Json[],
  pageId: string,
  now: number,
) {
  for (const e of events) {
    const psid = e?.sender?.id;
    if (typeof psid !== 'string' || psid === pageId || e.message?.is_echo) continue;
    const at = typeof e.timestamp === 'number' ? e.timestamp : now;
    lastUser.set(psid, Math.max(lastUser.get(psid) ?? 0, at));
  }
}

/** §2.4: retry the same bytes on non-2xx or no answer (schedule UNCONFIRMED). Status 0 = no HTTP answer. */
async function postWithRetries(
  url: string,
  raw: string,
  headers: Record<string, string>,
  { retries, delayMs, timeoutMs }: { retries: number; delayMs: number; timeoutMs: number },
) {
  for (let attempts = 1; ; attempts++) {
    const started = performance.now();
    const status = await postWebhook(url, raw, headers, timeoutMs).then(
      (res) => res.status,
      () => 0, // refused, reset or timed out
    );
    const ms = performance.now() - started;
    if ((status >= 200 && status < 300) || attempts > retries) return { status, attempts, ms };
    await new Promise((r) => setTimeout(r, delayMs));
  }
}

/** §2.3: entry is an array; spread the events over `n` consecutive chunks, one entry object each. */
function splitEntries(events: object[], n: number, pageId: string, time: number) {
  const count = Math.max(1, Math.min(n, events.length));
  const size = Math.ceil(events.length / count);
  return Array.from({ length: count }, (_, i) => ({
    id: pageId,
    time,
    messaging: events.slice(i * size, (i + 1) * size),
  }));
}

/** §2.2: Meta signs "an escaped unicode version of the payload" (non-ASCII as \uXXXX, lowercase hex). */
function metaJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u0080-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** §2.2: X-Hub-Signature-256 = sha256=<hex HMAC-SHA256(appSecret, raw)>; the legacy sha1 header too. */
function signatureHeaders(secret: string, raw: string): Record<string, string> {
  const hmac = (alg: string) => createHmac(alg, secret).update(raw, 'utf8').digest('hex');
  return {
    'x-hub-signature-256': `sha256=${hmac('sha256')}`,
    'x-hub-signature': `sha1=${hmac('sha1')}`,
  };
}

const CDN = 'https://scontent.xx.fbcdn.net/v/t1.15752-9/4567_n';
const FILES = 'https://cdn.fbsbx.com/v/t59.3654-21/8910_n';
const LIKE_STICKER = 369239263222822; // the "thumbs up" sticker

/** Realistic inbound attachment shapes (CDN URLs; a sticker is an image carrying `sticker_id`). */
function attachmentMessage(type: AttachmentType): object {
  const one = (attachment: object) => ({ attachments: [attachment] });
  if (type === 'sticker') {
    const payload = { url: `${CDN}.png?_nc_cat=1`, sticker_id: LIKE_STICKER };
    return { sticker_id: LIKE_STICKER, ...one({ type: 'image', payload }) };
  }
  if (type === 'location') {
    const url = 'https://l.facebook.com/l.php?u=https%3A%2F%2Fwww.bing.com%2Fmaps';
    return one({
      type,
      title: 'Pinned Location',
      url,
      payload: { coordinates: { lat: 21.0285, long: 105.8542 } },
    });
  }
  const url = {
    image: `${CDN}.jpg`,
    audio: `${FILES}.mp4`,
    video: `${FILES}.mp4`,
    file: `${FILES}.pdf`,
  }[type];
  return one({ type, payload: { url: `${url}?_nc_cat=1&oh=00_abc` } });
}
