import type { webhook } from '@line/bot-sdk';
import type { Attachment } from '../../core/types.js';
import type { ChannelEvent } from '../channel.js';
import { eventDate, textField } from '../webhook.js';

/**
 * LINE webhook bodies as our events (shared/reference/channels.md §3.4, from
 * line/line-openapi webhook.yml): `{destination, events:[…]}`. An empty
 * `events` array is LINE's connection check (the console "Verify" button) and
 * yields nothing.
 *
 * Skipped on purpose:
 * - `mode: 'standby'`: another channel owns the chat and we must not send (§3.4).
 * - group and room sources: this service is a private, one-to-one help line. Answering in a
 *   group would show a person's questions about trafficking to everyone in it, and a push
 *   to a group is not to the person who asked. So nothing is answered there.
 * - every other event type (unsend, join, beacon, …): nothing for the engine to do.
 */

/** The reply token and when its event happened, carried to `send` in the outbox item's hint. */
export interface LineHint extends Record<string, string> {
  replyToken: string;
  /** ISO time of the event (LINE's `timestamp`); the token lives about a minute from then (§3.5). */
  receivedAt: string;
}

export function parseLineBody(body: unknown): ChannelEvent[] {
  const b = body as { events?: unknown } | null;
  if (typeof b !== 'object' || b === null || !Array.isArray(b.events)) {
    throw new Error('not a LINE webhook body');
  }
  const events: ChannelEvent[] = [];
  for (const ev of b.events as webhook.Event[]) {
    const parsed = parseEvent(ev);
    if (parsed) events.push(parsed);
  }
  // Answer in the order people acted, whatever order the batch came in.
  return events.sort((x, y) => x.receivedAt.getTime() - y.receivedAt.getTime());
}

function parseEvent(ev: webhook.Event): ChannelEvent | undefined {
  if (typeof ev !== 'object' || ev === null || ev.mode === 'standby') return undefined;
  // Types are checked, not trusted: a signed body of the right shape may still carry junk.
  const userId = ev.source?.type === 'user' ? textField(ev.source.userId) : undefined;
  if (!userId) return undefined;
  const receivedAt = eventDate(ev.timestamp);
  if (ev.type === 'unfollow') return { type: 'stop', userId, receivedAt };
  // webhookEventId is the same on a redelivery (§3.7): the engine answers it once.
  const messageId = textField(ev.webhookEventId);
  if (!messageId) return undefined;
  const common = { userId, messageId, receivedAt, ...replyHint(ev, receivedAt) };
  switch (ev.type) {
    case 'follow':
      return { type: 'start', ...common };
    case 'postback':
      // `params` (date/time pickers) is ignored: our choices are plain postback data.
      return textField(ev.postback?.data)
        ? { type: 'message', text: '', choice: ev.postback.data, ...common }
        : undefined;
    case 'message':
      return typeof ev.message === 'object' && ev.message !== null
        ? messageEvent(ev.message, common)
        : undefined;
    default:
      return undefined;
  }
}

function messageEvent(
  m: webhook.MessageContent,
  common: { userId: string; messageId: string; receivedAt: Date; hint?: LineHint },
): ChannelEvent {
  if (m.type === 'text') return { type: 'message', text: textField(m.text) ?? '', ...common };
  return { type: 'message', text: '', attachment: toAttachment(m), ...common };
}

function replyHint(ev: webhook.Event, receivedAt: Date): { hint?: LineHint } {
  const token = (ev as { replyToken?: unknown }).replyToken;
  if (typeof token !== 'string' || token === '') return {};
  return { hint: { replyToken: token, receivedAt: receivedAt.toISOString() } };
}

const KINDS: Record<string, Attachment['kind']> = {
  sticker: 'sticker',
  image: 'image',
  video: 'video',
  audio: 'audio',
  file: 'file',
  location: 'location',
};

/**
 * Non-text content. LINE hosts media behind the authenticated content API, so
 * there is a link only when the sender's content came from an external URL.
 */
function toAttachment(m: webhook.MessageContent): Attachment {
  // A type LINE adds later still gets the kind "please write" answer.
  const kind =
    (typeof m.type === 'string' && Object.hasOwn(KINDS, m.type) && KINDS[m.type]) || 'other';
  const provider = (m as { contentProvider?: { type?: string; originalContentUrl?: string } })
    .contentProvider;
  const url = provider?.type === 'external' ? textField(provider.originalContentUrl) : undefined;
  return { kind, ...(url ? { url } : {}) };
}
