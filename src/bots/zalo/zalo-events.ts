import { createHash } from 'node:crypto';
import type { Attachment } from '../../core/types.js';
import type { ChannelEvent } from '../channel.js';
import { eventDate, safeEqual } from '../webhook.js';

/**
 * Zalo OA webhooks: the signature and the event shapes
 * (shared/reference/channels.md §1.4, §1.5). Zalo posts one event per request,
 * with string ids and a string epoch-ms `timestamp`.
 */

/**
 * `X-ZEvent-Signature: mac=<hex sha256(appId + rawBody + timestamp + oaSecretKey)>`, a plain
 * SHA-256 and not an HMAC (reference §1.4). The timestamp is a field of the body, so the body is
 * parsed once here only to read it; the hash covers the raw bytes exactly as they arrived.
 */
export function verifyZaloSignature(
  raw: Buffer,
  given: string,
  appId: string,
  oaSecretKey: string,
): boolean {
  if (!given) return false;
  let timestamp: unknown;
  try {
    timestamp = (JSON.parse(raw.toString('utf8')) as { timestamp?: unknown } | null)?.timestamp;
  } catch {
    return false;
  }
  if (typeof timestamp !== 'string' && typeof timestamp !== 'number') return false;
  const expected = createHash('sha256')
    .update(appId, 'utf8')
    .update(raw)
    .update(String(timestamp), 'utf8')
    .update(oaSecretKey, 'utf8')
    .digest('hex');
  // chatwoot compares against "mac=<hex>"; the reference advises accepting the bare hex too.
  const mac = given.startsWith('mac=') ? given.slice('mac='.length) : given;
  return safeEqual(mac.toLowerCase(), expected);
}

interface ZaloWebhookBody {
  event_name?: unknown;
  timestamp?: unknown;
  sender?: { id?: unknown };
  follower?: { id?: unknown };
  message?: {
    msg_id?: unknown;
    text?: unknown;
    attachments?: { type?: unknown; payload?: { url?: unknown } }[];
  };
}

/** Media events (reference §1.5) and what the engine calls them; gif is an image, a link or card is "other". */
const MEDIA: Record<string, Attachment['kind']> = {
  user_send_image: 'image',
  user_send_gif: 'image',
  user_send_sticker: 'sticker',
  user_send_audio: 'audio',
  user_send_video: 'video',
  user_send_file: 'file',
  user_send_location: 'location',
  user_send_link: 'other',
  user_send_business_card: 'other',
};

/**
 * Our own button payloads (src/engine/route.ts, flow-step.ts). Only these turn a
 * `#…` text into a choice: anything else someone types with a `#` stays text.
 */
const OUR_PAYLOAD = /^(?:topic|more|cmd|flow|flow-answer):\S+$/;

/**
 * The body as our events. Echoes of our own sends (`oa_send_*`), delivery and
 * seen receipts, and events we do not handle give no events (still a 200, so
 * Zalo does not retry them). Throws when the body is not a Zalo event at all.
 */
export function parseZaloBody(body: unknown, queryPrefix: string): ChannelEvent[] {
  const b = body as ZaloWebhookBody | null;
  if (typeof b !== 'object' || b === null || typeof b.event_name !== 'string') {
    throw new Error('not a Zalo webhook body');
  }
  const name = b.event_name;
  const receivedAt = eventTime(b.timestamp);
  if (name === 'follow' || name === 'unfollow') {
    const userId = idOf(b.follower?.id);
    if (!userId) return [];
    if (name === 'unfollow') return [{ type: 'stop', userId, receivedAt }];
    // A follow has no msg_id; the identical body on Zalo's retries gives the same key.
    const messageId = `follow:${userId}:${String(b.timestamp)}`;
    return [{ type: 'start', userId, messageId, receivedAt }];
  }
  // Own keys only: `valueOf` or `__proto__` is in every object, not an event we handle.
  if (name !== 'user_send_text' && !Object.hasOwn(MEDIA, name)) return [];
  const userId = idOf(b.sender?.id);
  if (!userId) return [];
  const m = b.message ?? {};
  const messageId = idOf(m.msg_id) ?? `${name}:${userId}:${String(b.timestamp)}`;
  const text = typeof m.text === 'string' ? m.text : '';
  if (name === 'user_send_text') {
    const choice = choiceOf(text, queryPrefix);
    // A pressed oa.query.hide button comes back as the user's text (reference §1.5, UNCONFIRMED).
    if (choice) return [{ type: 'message', userId, messageId, text: '', choice, receivedAt }];
    return [{ type: 'message', userId, messageId, text, receivedAt }];
  }
  const attachment = toAttachment(MEDIA[name] ?? 'other', m.attachments?.[0]?.payload?.url);
  return [{ type: 'message', userId, messageId, text, attachment, receivedAt }];
}

/** The payload of one of our buttons, when the text is exactly `<prefix><payload>`. */
function choiceOf(text: string, prefix: string): string | undefined {
  if (!prefix || !text.startsWith(prefix)) return undefined;
  const payload = text.slice(prefix.length).trim();
  return OUR_PAYLOAD.test(payload) ? payload : undefined;
}

/**
 * When the person acted, from the body's epoch-ms `timestamp` (a string, §1.5):
 * the service measures the reply window from it, as Zalo does.
 */
function eventTime(timestamp: unknown): Date {
  const ms = Number(timestamp);
  return Number.isFinite(ms) && ms > 0 ? eventDate(ms) : new Date();
}

/** Zalo ids are strings that may exceed 2^53 (§1.5); a number would already have lost digits. */
function idOf(id: unknown): string | undefined {
  return typeof id === 'string' && id ? id : undefined;
}

function toAttachment(kind: Attachment['kind'], url: unknown): Attachment {
  return { kind, ...(typeof url === 'string' && url ? { url } : {}) };
}
