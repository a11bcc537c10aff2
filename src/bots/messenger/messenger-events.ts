import type { Attachment } from '../../core/types.js';
import type { ChannelEvent } from '../channel.js';
import { eventDate, textField } from '../webhook.js';

/**
 * Messenger webhook bodies as our events (shared/reference/channels.md §2.3,
 * from developers.facebook.com/docs/messenger-platform/webhook): an envelope
 * `{object:'page', entry:[{messaging:[…]}]}`; several entries may arrive at once.
 * Echoes of our own sends (`is_echo`) and `standby` events (another app owns
 * the thread) are skipped.
 */

interface MessagingEvent {
  sender?: { id?: string };
  timestamp?: number;
  message?: {
    mid?: string;
    text?: string;
    is_echo?: boolean;
    quick_reply?: { payload?: string };
    attachments?: { type?: string; payload?: { url?: string; sticker_id?: number } }[];
  };
  postback?: { mid?: string; title?: string; payload?: string };
}

export function parseMessengerBody(body: unknown, getStartedPayload: string): ChannelEvent[] {
  const b = body as { object?: unknown; entry?: unknown };
  if (typeof b !== 'object' || b === null || !Array.isArray(b.entry)) {
    throw new Error('not a Messenger webhook body');
  }
  if (b.object !== 'page') return [];
  const events: ChannelEvent[] = [];
  for (const entry of b.entry as { messaging?: MessagingEvent[] }[]) {
    for (const ev of entry.messaging ?? []) {
      const parsed = parseEvent(ev, getStartedPayload);
      if (parsed) events.push(parsed);
    }
  }
  // Meta may deliver out of order (reference §2.4): answer in the order people wrote.
  return events.sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime());
}

function parseEvent(ev: MessagingEvent, getStartedPayload: string): ChannelEvent | undefined {
  // Every field is checked for its type: a body of the right shape may still carry junk.
  const userId = textField(ev?.sender?.id);
  if (!userId) return undefined;
  const receivedAt = eventDate(ev.timestamp);
  if (ev.postback) {
    const payload = textField(ev.postback.payload);
    const messageId = textField(ev.postback.mid) ?? `postback:${userId}:${ev.timestamp}`;
    if (payload === getStartedPayload) {
      return { type: 'start', userId, messageId, receivedAt };
    }
    return {
      type: 'message',
      userId,
      messageId,
      text: textField(ev.postback.title) ?? '',
      ...(payload ? { choice: payload } : {}),
      receivedAt,
    };
  }
  const m = ev.message;
  const mid = textField(m?.mid);
  if (!m || !mid || m.is_echo) return undefined;
  const first = Array.isArray(m.attachments) ? m.attachments[0] : undefined;
  const attachment = first ? toAttachment(first) : undefined;
  const choice = textField(m.quick_reply?.payload);
  return {
    type: 'message',
    userId,
    messageId: mid,
    text: textField(m.text) ?? '',
    ...(choice ? { choice } : {}),
    ...(attachment ? { attachment } : {}),
    receivedAt,
  };
}

function toAttachment(a: {
  type?: string;
  payload?: { url?: string; sticker_id?: number };
}): Attachment {
  const kinds: Record<string, Attachment['kind']> = {
    image: 'image',
    audio: 'audio',
    video: 'video',
    file: 'file',
    location: 'location',
  };
  // A sticker is an image with a sticker_id (reference §2.3).
  const kind = a.payload?.sticker_id ? 'sticker' : (kinds[a.type ?? ''] ?? 'other');
  const url = textField(a.payload?.url);
  return { kind, ...(url ? { url } : {}) };
}
