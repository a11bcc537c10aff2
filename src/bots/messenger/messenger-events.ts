import type { Attachment } from '../../core/types.js';
import type { ChannelEvent } from '../channel.js';

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
  const userId = ev.sender?.id;
  if (!userId) return undefined;
  const receivedAt = new Date(ev.timestamp ?? Date.now());
  if (ev.postback) {
    const messageId = ev.postback.mid ?? `postback:${userId}:${ev.timestamp}`;
    if (ev.postback.payload === getStartedPayload) {
      return { type: 'start', userId, messageId, receivedAt };
    }
    return {
      type: 'message',
      userId,
      messageId,
      text: ev.postback.title ?? '',
      ...(ev.postback.payload ? { choice: ev.postback.payload } : {}),
      receivedAt,
    };
  }
  const m = ev.message;
  if (!m?.mid || m.is_echo) return undefined;
  const attachment = m.attachments?.[0] ? toAttachment(m.attachments[0]) : undefined;
  return {
    type: 'message',
    userId,
    messageId: m.mid,
    text: m.text ?? '',
    ...(m.quick_reply?.payload ? { choice: m.quick_reply.payload } : {}),
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
  return { kind, ...(a.payload?.url ? { url: a.payload.url } : {}) };
}
