import { randomUUID } from 'node:crypto';
import {
  type FakeRequest,
  type FakeResponse,
  type FakeServer,
  postWebhook,
  startFakeServer,
} from './fake-server.js';

/**
 * A Bot Framework fake playing both sides of Azure Bot Service around the bot:
 * - the *channel*, which POSTs Activities to the bot's `/api/messages` (channels.md §4.3, §4.6.1);
 * - the *Bot Connector* at `serviceUrl`, which receives the bot's out-of-band replies on
 *   `POST /v3/conversations/:cid/activities[/:replyToId]` and answers `{id}` (§4.2, §4.6.2).
 * There is no webhook signature in this protocol: inbound auth is a Bearer JWT that the bot
 * skips when it has no app id (§4.2), so `send` only forwards an Authorization header if asked.
 */

/**
 * An Activity as plain JSON. Deliberately `any`: tests read and tweak free-form activity fields
 * (`value`, `channelData`, `attachments[0].content`...) without casts.
 */
// biome-ignore lint/suspicious/noExplicitAny: free-form Activity JSON, see above.
export type ActivityJson = any;

export interface BotFrameworkFakeOptions {
  /** `channelId` stamped on inbound activities. Default `'directline'` (the Web Chat channel, §4.4). */
  channelId?: string;
  /**
   * When true the connector demands `Authorization: Bearer <token>` on every call, as the real
   * one does. Default false: an anonymous bot (no clientId) sends no Authorization header (§4.2).
   */
  requireAuth?: boolean;
  /** How long `send` waits for the bot's HTTP answer. Default 20 000 ms. */
  webhookTimeoutMs?: number;
}

export interface ConnectorActivity {
  /** Conversation id from the URL path, percent-decoded. */
  conversationId: string;
  /** The `:activityId` path segment (the reply-to id), percent-decoded; absent for a plain send. */
  replyToId?: string;
  /** The activity body as the bot sent it. */
  activity: ActivityJson;
  /** `Date.now()` when the connector accepted it. */
  at: number;
}

export interface BotFrameworkFake {
  /** The connector base URL to put in inbound activities' `serviceUrl` (no trailing slash). */
  serviceUrl: string;
  /** The underlying server: request log and `failNext` for 5xx/429/network injection. */
  server: FakeServer;
  /** Every activity the connector accepted (message, typing, event, ...), in arrival order. */
  received: ConnectorActivity[];
  /** Only the accepted activities of type `message`. */
  messages(): ConnectorActivity[];
  /** Every connector call refused with a 4xx, with the status and the error body sent back. */
  rejected: { status: number; body: ActivityJson }[];
  /**
   * Builds an inbound message Activity from user `userId`: fresh id, timestamp, channelId,
   * serviceUrl = this fake, from {id,name,role:'user'}, recipient {id:'bot',role:'bot'},
   * conversation {id} (default `conv-<userId>`), text, locale `vi-VN` (§4.3 example).
   */
  message(
    userId: string,
    text: string,
    opts?: { id?: string; conversationId?: string; value?: unknown; locale?: string },
  ): ActivityJson;
  /** A `conversationUpdate` with `membersAdded` (the user joining) or `membersRemoved`. */
  conversationUpdate(
    userId: string,
    change: 'added' | 'removed',
    conversationId?: string,
  ): ActivityJson;
  /** An attachment-only message (no text), e.g. a photo the user uploaded. */
  attachment(userId: string, contentType: string, conversationId?: string): ActivityJson;
  /**
   * POSTs `activity` as JSON to the bot's `/api/messages` URL, with `opts.authorization` as the
   * Authorization header when given. Resolves with the status, body text and elapsed ms.
   */
  send(
    botUrl: string,
    activity: ActivityJson,
    opts?: { authorization?: string },
  ): Promise<{ status: number; body: string; ms: number }>;
  close(): Promise<void>;
}

/** Bot Connector errors are `{error:{code,message}}` (botframework-connector ErrorResponse). */
function connectorError(status: number, code: string, message: string): FakeResponse {
  return { status, body: { error: { code, message } } };
}

/** `/v3/conversations/<cid>/activities[/<aid>]` → the decoded ids. */
function parseActivityPath(path: string): { conversationId: string; replyToId?: string } {
  const [, , , cid = '', , aid] = path.split('/');
  // agents-hosting 1.8.1 ConnectorClient puts the conversation id in the path as-is but
  // encodeURIComponent()s the activity id (connectorClient.ts replyToActivity); decode both.
  const conversationId = decodeURIComponent(cid);
  return aid === undefined
    ? { conversationId }
    : { conversationId, replyToId: decodeURIComponent(aid) };
}

/** Returns an error response when the activity breaks a connector rule, else undefined. */
function validateActivity(body: unknown): FakeResponse | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return connectorError(400, 'BadSyntax', 'request body must be an Activity JSON object');
  }
  const activity = body as Record<string, unknown>;
  // Every Activity needs a type (Activity schema; botbuilder's CloudAdapter 400s a typeless one, §4.2).
  if (typeof activity.type !== 'string' || activity.type === '') {
    return connectorError(400, 'MissingProperty', 'The activity is missing the type property');
  }
  // A message with neither text nor attachments has nothing to show (task rule for this fake).
  const hasText = typeof activity.text === 'string' && activity.text.length > 0;
  const hasAttachments = Array.isArray(activity.attachments) && activity.attachments.length > 0;
  if (activity.type === 'message' && !hasText && !hasAttachments) {
    return connectorError(400, 'BadArgument', 'A message activity needs text or attachments');
  }
  return undefined;
}

export async function startBotFrameworkFake(
  options: BotFrameworkFakeOptions = {},
): Promise<BotFrameworkFake> {
  const channelId = options.channelId ?? 'directline';
  const received: ConnectorActivity[] = [];
  const rejected: { status: number; body: ActivityJson }[] = [];
  let seq = 0;

  const refuse = (out: FakeResponse): FakeResponse => {
    rejected.push({ status: out.status, body: out.body });
    return out;
  };

  const onActivity = (req: FakeRequest): FakeResponse => {
    // The real connector authenticates every call with the bot's AAD token (§4.2); an anonymous
    // bot sends none, so this is only enforced when requireAuth is set.
    if (options.requireAuth && !/^Bearer \S+/.test(req.headers.authorization ?? '')) {
      return refuse(
        connectorError(401, 'Unauthorized', 'Authorization: Bearer <token> is required'),
      );
    }
    const invalid = validateActivity(req.body);
    if (invalid) return refuse(invalid);
    received.push({ ...parseActivityPath(req.path), activity: req.body, at: Date.now() });
    // Success is 200 with a ResourceResponse `{id}` (§4.2 "expected response is {id}").
    return { status: 200, body: { id: `srv-${randomUUID()}` } };
  };

  const server = await startFakeServer({
    'POST /v3/conversations/:conversationId/activities': onActivity,
    'POST /v3/conversations/:conversationId/activities/:activityId': onActivity,
  });
  const serviceUrl = server.url;

  /** Fields every inbound activity shares (shape from the §4.3 example). */
  const base = (userId: string, conversationId: string | undefined, id?: string) => {
    const conv = conversationId ?? `conv-${userId}`;
    seq++;
    return {
      // Direct Line ids look like `<conversationId>|<7-digit seq>`; the `|` also exercises the
      // SDK's encodeURIComponent of the reply-to id in the connector path.
      id: id ?? `${conv}|${String(seq).padStart(7, '0')}`,
      timestamp: new Date().toISOString(),
      channelId,
      serviceUrl,
      from: { id: userId, name: userId, role: 'user' },
      recipient: { id: 'bot', name: 'bot', role: 'bot' },
      conversation: { id: conv },
    };
  };

  return {
    serviceUrl,
    server,
    received,
    rejected,
    messages: () => received.filter((r) => r.activity?.type === 'message'),
    message(userId, text, opts = {}) {
      const activity: Record<string, unknown> = {
        type: 'message',
        ...base(userId, opts.conversationId, opts.id),
        text,
        locale: opts.locale ?? 'vi-VN',
      };
      if (opts.value !== undefined) activity.value = opts.value;
      return activity;
    },
    conversationUpdate(userId, change, conversationId) {
      const members = [{ id: userId, name: userId, role: 'user' }];
      return {
        type: 'conversationUpdate',
        ...base(userId, conversationId),
        ...(change === 'added' ? { membersAdded: members } : { membersRemoved: members }),
      };
    },
    attachment(userId, contentType, conversationId) {
      const activity = base(userId, conversationId);
      const name = `upload-${seq}.${contentType.split('/')[1] ?? 'bin'}`;
      return {
        type: 'message',
        ...activity,
        locale: 'vi-VN',
        // Not served by this fake: the URL only has to look like a channel-hosted upload.
        attachments: [
          { contentType, contentUrl: `${serviceUrl}/v3/attachments/${name}/views/original`, name },
        ],
      };
    },
    async send(botUrl, activity, opts = {}) {
      const headers: Record<string, string> = {};
      if (opts.authorization !== undefined) headers.authorization = opts.authorization;
      const out = await postWebhook(
        botUrl,
        JSON.stringify(activity),
        headers,
        options.webhookTimeoutMs ?? 20_000,
      );
      return { status: out.status, body: out.text, ms: out.ms };
    },
    close: () => server.close(),
  };
}
