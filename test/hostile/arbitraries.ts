import fc from 'fast-check';
import type { ChannelEvent } from '../../src/bots/channel.js';

/**
 * Hostile-input generators shared by the property tests: platform-shaped
 * bodies whose every field may instead be junk of another type, plus bodies
 * that are nothing like the platform's at all.
 */

/** A value of the wrong type: what a broken or malicious sender puts in a field. */
export const junk: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.integer(),
  fc.double(),
  fc.constantFrom(1e300, -1, 0, Number.MAX_SAFE_INTEGER * 10),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string({ maxLength: 3 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 4 }), fc.string({ maxLength: 4 }), { maxKeys: 2 }),
);

/** Usually a plausible value, sometimes junk. */
export const field = <T>(good: fc.Arbitrary<T>): fc.Arbitrary<unknown> =>
  fc.oneof({ weight: 8, arbitrary: good }, { weight: 1, arbitrary: junk });

/** Almost always plausible: for the fields a body needs before anything else is read. */
const must = <T>(good: fc.Arbitrary<T>): fc.Arbitrary<unknown> =>
  fc.oneof({ weight: 30, arbitrary: good }, { weight: 1, arbitrary: junk });

/** A record whose keys may each be missing. */
const rec = (shape: Record<string, fc.Arbitrary<unknown>>) =>
  fc.record(shape, { requiredKeys: [] });

const text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom('menu', 'xin chào', '#cmd:menu'),
);
const id = fc.oneof(fc.string({ maxLength: 12 }), fc.uuid(), fc.constantFrom('u1', 'u2', '1'));
const epochMs = fc.oneof(fc.integer({ min: 0, max: 4_102_444_800_000 }), fc.double());

/** Mostly platform-shaped bodies, one in four anything at all. */
const shaped = (platform: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> =>
  fc.oneof({ weight: 1, arbitrary: anyBody }, { weight: 3, arbitrary: platform });

/** Anything at all, including bodies that are not objects. */
const anyBody = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.anything({ maxDepth: 3, withObjectString: true, withNullPrototype: true }),
);

const messengerEvent = rec({
  sender: field(rec({ id: field(id) })),
  recipient: field(rec({ id: field(id) })),
  timestamp: field(epochMs),
  message: field(
    rec({
      mid: field(id),
      text: field(text),
      is_echo: field(fc.boolean()),
      quick_reply: field(rec({ payload: field(text) })),
      attachments: field(
        fc.array(
          field(
            rec({
              type: field(fc.constantFrom('image', 'audio', 'video', 'file', 'location', 'x')),
              payload: field(rec({ url: field(fc.webUrl()), sticker_id: field(fc.integer()) })),
            }),
          ),
          { maxLength: 2 },
        ),
      ),
    }),
  ),
  postback: field(
    rec({
      mid: field(id),
      title: field(text),
      payload: field(fc.constantFrom('GET_STARTED', 'cmd:menu', '')),
    }),
  ),
});

export const messengerBody: fc.Arbitrary<unknown> = shaped(
  rec({
    object: field(fc.constant('page')),
    entry: field(
      fc.array(
        field(
          rec({
            id: field(id),
            time: field(epochMs),
            messaging: field(fc.array(field(messengerEvent), { maxLength: 4 })),
          }),
        ),
        { maxLength: 3 },
      ),
    ),
  }),
);

const lineEvent = rec({
  type: field(fc.constantFrom('message', 'follow', 'unfollow', 'postback', 'join', 'unsend')),
  mode: field(fc.constantFrom('active', 'standby')),
  timestamp: field(epochMs),
  webhookEventId: must(id),
  replyToken: field(id),
  source: must(rec({ type: field(fc.constantFrom('user', 'group', 'room')), userId: must(id) })),
  message: field(
    rec({
      type: field(fc.constantFrom('text', 'image', 'sticker', 'video', 'audio', 'file', 'x')),
      id: field(id),
      text: field(text),
      contentProvider: field(
        rec({
          type: field(fc.constantFrom('external', 'line')),
          originalContentUrl: field(fc.webUrl()),
        }),
      ),
    }),
  ),
  postback: field(rec({ data: field(text) })),
});

export const lineBody: fc.Arbitrary<unknown> = shaped(
  rec({
    destination: field(id),
    events: field(fc.array(field(lineEvent), { maxLength: 4 })),
  }),
);

export const zaloBody: fc.Arbitrary<unknown> = shaped(
  rec({
    app_id: field(id),
    event_name: field(
      fc.constantFrom(
        'user_send_text',
        'user_send_image',
        'user_send_sticker',
        'user_send_link',
        'follow',
        'unfollow',
        'oa_send_text',
        'user_seen_message',
      ),
    ),
    timestamp: field(fc.oneof(epochMs.map(String), epochMs)),
    sender: field(rec({ id: field(id) })),
    recipient: field(rec({ id: field(id) })),
    follower: field(rec({ id: field(id) })),
    message: field(
      rec({
        msg_id: field(id),
        text: field(text),
        attachments: field(
          fc.array(field(rec({ type: field(text), payload: field(rec({ url: field(text) })) })), {
            maxLength: 2,
          }),
        ),
      }),
    ),
  }),
);

/** serviceUrl is a closed local port or junk: a hostile Activity must not make us call the world. */
export const activityBody: fc.Arbitrary<unknown> = shaped(
  rec({
    type: must(fc.constantFrom('message', 'conversationUpdate', 'typing', 'invoke')),
    id: must(id),
    channelId: field(fc.constantFrom('msteams', 'webchat', 'emulator')),
    serviceUrl: must(
      fc.constantFrom(
        'http://127.0.0.1:9/',
        'http://127.0.0.1:9/',
        'http://127.0.0.1:9/',
        'ftp://127.0.0.1/',
        'nonsense',
      ),
    ),
    from: must(rec({ id: field(id) })),
    recipient: must(rec({ id: field(id) })),
    conversation: must(rec({ id: field(id), tenantId: field(id) })),
    timestamp: field(
      fc.oneof(
        fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
        fc.string(),
      ),
    ),
    locale: field(fc.constantFrom('vi-VN', 'en_US', '-', '', 'VI')),
    text: field(text),
    value: field(rec({ payload: field(text) })),
    attachments: field(
      fc.array(field(rec({ contentType: field(text), contentUrl: field(text) })), {
        maxLength: 2,
      }),
    ),
    membersAdded: field(fc.array(field(rec({ id: field(id) })), { maxLength: 3 })),
    membersRemoved: field(fc.array(field(rec({ id: field(id) })), { maxLength: 3 })),
  }),
);

/** The body as it reaches a parser: through JSON, like the webhook's JSON.parse of the raw bytes. */
export const viaJson = (body: unknown): unknown => JSON.parse(JSON.stringify(body) ?? 'null');

const KINDS = ['image', 'audio', 'video', 'file', 'location', 'sticker', 'other'];
const nonEmpty = (v: unknown) => typeof v === 'string' && v !== '';
const strings = (v: unknown) =>
  v === undefined ||
  (typeof v === 'object' &&
    v !== null &&
    Object.values(v as object).every((x) => typeof x === 'string'));

/** What is wrong with an event the engine would get ('' when nothing). */
export function eventProblem(e: ChannelEvent): string {
  if (!['message', 'start', 'stop'].includes(e.type)) return `type ${String(e.type)}`;
  if (!nonEmpty(e.userId)) return 'userId';
  if (!(e.receivedAt instanceof Date) || Number.isNaN(e.receivedAt.getTime())) return 'receivedAt';
  if (e.type === 'stop') return '';
  if (!nonEmpty(e.messageId)) return 'messageId';
  if (e.localeHint !== undefined && typeof e.localeHint !== 'string') return 'localeHint';
  if (!strings(e.hint)) return 'hint';
  if (!strings(e.address)) return 'address';
  if (e.type === 'start') return '';
  if (typeof e.text !== 'string') return 'text';
  if (e.choice !== undefined && !nonEmpty(e.choice)) return 'choice';
  if (e.attachment !== undefined) {
    if (!KINDS.includes(e.attachment.kind)) return 'attachment.kind';
    if (e.attachment.url !== undefined && typeof e.attachment.url !== 'string')
      return 'attachment.url';
  }
  return '';
}
