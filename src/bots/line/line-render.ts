import type { messagingApi } from '@line/bot-sdk';
import { type Composed, fitChoices, splitText } from '../compose.js';

/**
 * Limits (reference §3.6, from line/line-openapi messaging-api.yml and the
 * Messaging API reference): at most 5 message objects per reply or push, text
 * up to 5000 characters (UTF-16 units, developers.line.biz/en/docs/messaging-api/text-character-count),
 * at most 13 quick reply items. Postback `data` is at most 300 characters
 * (developers.line.biz/en/reference/messaging-api/#postback-action).
 */
export const MESSAGES_PER_REQUEST = 5;
const TEXT_LIMIT = 5000;
const QUICK_REPLY_ITEMS = 13;
const DATA_LIMIT = 300;

/** One send: up to five text messages that go out in one reply or push request. */
export type LineUnit = messagingApi.TextMessage[];

/**
 * The turn's replies as LINE requests. Every reply's text is split within
 * 5000 characters; its choices ride on its last piece as quick replies
 * (postback actions whose `data` comes back as the choice, and whose
 * `displayText` shows the person what they pressed). Messages are then packed
 * five to a request, so the first request, which may use the free reply token,
 * carries as much of the answer as LINE allows.
 *
 * `labelLimit` is the action label length, 20 by common citation but
 * UNCONFIRMED (§3.6); labels are shortened by code points, close to LINE's
 * grapheme count for Vietnamese.
 */
export function renderLine(replies: Composed[], labelLimit: number): LineUnit[] {
  const messages = replies.flatMap((reply) => renderReply(reply, labelLimit));
  const units: LineUnit[] = [];
  for (let i = 0; i < messages.length; i += MESSAGES_PER_REQUEST) {
    units.push(messages.slice(i, i + MESSAGES_PER_REQUEST));
  }
  return units;
}

function renderReply(reply: Composed, labelLimit: number): messagingApi.TextMessage[] {
  const pieces = splitText(reply.text, TEXT_LIMIT);
  const choices = fitChoices(
    reply.choices.filter((c) => c.payload.length <= DATA_LIMIT),
    QUICK_REPLY_ITEMS,
    labelLimit,
  );
  return pieces.map((text, i) => ({
    type: 'text',
    text,
    // A quick reply shows only under the newest message: it belongs on the last piece.
    ...(i === pieces.length - 1 && choices.length
      ? {
          quickReply: {
            items: choices.map((c) => ({
              type: 'action',
              action: { type: 'postback', label: c.label, data: c.payload, displayText: c.label },
            })),
          },
        }
      : {}),
  }));
}
