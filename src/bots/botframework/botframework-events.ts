import type { Attachment } from '../../core/types.js';
import type { ChannelEvent } from '../channel.js';

/**
 * Bot Framework Activities (the Activity protocol that Azure Bot Service posts
 * to `/api/messages`, shared/reference/channels.md §4.2–§4.3) as our events.
 * One request carries one Activity; its `id` is the dedupe key (§5).
 */

interface Account {
  id?: unknown;
}

/** The fields of an inbound Activity that we read; everything else is ignored. */
export interface InboundActivity {
  type: string;
  id: string;
  channelId: string;
  serviceUrl: string;
  from: { id: string };
  recipient: { id: string };
  conversation: { id: string; tenantId?: unknown };
  timestamp?: unknown;
  locale?: unknown;
  text?: unknown;
  value?: unknown;
  attachments?: unknown;
  membersAdded?: unknown;
  membersRemoved?: unknown;
}

const filled = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';

/**
 * Checks that a parsed body is an Activity we can answer: a type and an id,
 * who wrote (`from.id`), to whom (`recipient.id`, the bot), which
 * conversation, which channel and where to answer (`serviceUrl`, §4.2
 * "replies go out-of-band to activity.serviceUrl"). Throws otherwise (a 400).
 */
export function parseActivity(body: unknown): InboundActivity {
  const a = body as Record<string, unknown> | null;
  if (typeof a !== 'object' || a === null || Array.isArray(a)) throw new Error('not an object');
  const from = a.from as Account | undefined;
  const recipient = a.recipient as Account | undefined;
  const conversation = a.conversation as Account | undefined;
  const ok =
    filled(a.type) &&
    filled(a.id) &&
    filled(a.channelId) &&
    filled(from?.id) &&
    filled(recipient?.id) &&
    filled(conversation?.id) &&
    filled(a.serviceUrl) &&
    /^https?:\/\//i.test(a.serviceUrl);
  if (!ok) throw new Error('not an answerable Activity');
  return a as unknown as InboundActivity;
}

/**
 * Where to answer, kept on the conversation (`address`) and with a turn's
 * replies (`hint`): the parts of the SDK's ConversationReference that the
 * connector needs. Names are never kept: they are not needed to answer.
 */
export function addressOf(a: InboundActivity, userId = a.from.id): Record<string, string> {
  return {
    serviceUrl: a.serviceUrl,
    channelId: a.channelId,
    conversationId: a.conversation.id,
    botId: a.recipient.id,
    userId,
    // Teams wants the tenant on proactive sends to a personal chat.
    ...(filled(a.conversation.tenantId) ? { tenantId: a.conversation.tenantId } : {}),
  };
}

/**
 * Our user id: channel ids are a namespace for account ids ("Channel IDs serve
 * as namespaces for other IDs", learn.microsoft.com/azure/bot-service/
 * bot-service-resources-identifiers-guide), so a Web Chat id can never land in
 * a Teams user's conversation.
 */
export function userKey(channelId: string, accountId: string): string {
  return `${channelId}:${accountId}`;
}

/** The events of one Activity; types we do not act on (typing, invoke, reactions…) give none. */
export function activityEvents(a: InboundActivity): ChannelEvent[] {
  if (a.type === 'message') {
    const event = messageEvent(a);
    return event ? [event] : [];
  }
  if (a.type === 'conversationUpdate') return membershipEvents(a);
  return [];
}

function messageEvent(a: InboundActivity): ChannelEvent | undefined {
  // A channel never echoes the bot's own messages, but a loop must not start if one did.
  if (a.from.id === a.recipient.id) return undefined;
  const text = typeof a.text === 'string' ? a.text.trim() : '';
  // Our suggested actions carry {payload} as their value (see botframework-render.ts).
  const payload = (a.value as { payload?: unknown } | undefined)?.payload;
  const choice = filled(payload) ? payload : undefined;
  // Teams adds a text/html copy of typed text: attachments count only without text.
  const attachment = !text && !choice ? firstAttachment(a.attachments) : undefined;
  if (!text && !choice && !attachment) return undefined;
  return {
    type: 'message',
    userId: userKey(a.channelId, a.from.id),
    messageId: a.id,
    text,
    ...(choice ? { choice } : {}),
    ...(attachment ? { attachment } : {}),
    ...common(a),
    address: addressOf(a),
    // Turn answers reply to this activity, in the conversation it came from.
    hint: { ...addressOf(a), replyToId: a.id },
  };
}

/**
 * conversationUpdate (§4.3): the person joining greets them, the person
 * leaving stops sends. The bot's own joining or leaving (recipient.id) is not
 * a person. Replies to it go to the conversation, not to the update: the SDK
 * does not reply to a Direct Line conversationUpdate either (Activity
 * getAppropriateReplyToId in @microsoft/agents-activity).
 */
function membershipEvents(a: InboundActivity): ChannelEvent[] {
  const people = (list: unknown) =>
    (Array.isArray(list) ? (list as Account[]) : [])
      .map((m) => m?.id)
      .filter((id): id is string => filled(id) && id !== a.recipient.id);
  const events: ChannelEvent[] = [];
  for (const id of people(a.membersAdded)) {
    events.push({
      type: 'start',
      userId: userKey(a.channelId, id),
      messageId: a.id,
      ...common(a),
      address: addressOf(a, id),
    });
  }
  for (const id of people(a.membersRemoved)) {
    events.push({ type: 'stop', userId: userKey(a.channelId, id), receivedAt: receivedAt(a) });
  }
  return events;
}

function common(a: InboundActivity) {
  const localeHint = filled(a.locale) ? a.locale.split(/[-_]/)[0]?.toLowerCase() : undefined;
  return { receivedAt: receivedAt(a), ...(localeHint ? { localeHint } : {}) };
}

function receivedAt(a: InboundActivity): Date {
  const at = typeof a.timestamp === 'string' ? Date.parse(a.timestamp) : Number.NaN;
  return Number.isNaN(at) ? new Date() : new Date(at);
}

/** The kind of the first attachment, from its MIME type (Activity `attachments[].contentType`). */
function firstAttachment(list: unknown): Attachment | undefined {
  const first = Array.isArray(list) ? (list[0] as Record<string, unknown> | undefined) : undefined;
  if (!first) return undefined;
  const type = typeof first.contentType === 'string' ? first.contentType.toLowerCase() : '';
  const url = typeof first.contentUrl === 'string' ? first.contentUrl : undefined;
  return { kind: kindOf(type), ...(url ? { url } : {}) };
}

function kindOf(contentType: string): Attachment['kind'] {
  const [major] = contentType.split('/');
  if (major === 'image' || major === 'audio' || major === 'video') return major;
  // Cards (application/vnd.microsoft.card.*) are not files the person sent.
  if (contentType.startsWith('application/vnd.microsoft.card.')) return 'other';
  // Teams files arrive as application/vnd.microsoft.teams.file.download.info.
  if (major === 'application') return 'file';
  return 'other';
}
