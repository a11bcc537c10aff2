import { createHmac } from 'node:crypto';
import { Router } from 'express';
import { PlatformError, type PlatformRefusal } from '../../core/errors.js';
import type { ChannelAdapter, SendContext } from '../channel.js';
import { type Composed, fitChoices, splitText } from '../compose.js';
import { callPlatform, retryAfterSeconds } from '../http.js';
import { header, safeEqual, signedWebhook } from '../webhook.js';
import { parseMessengerBody } from './messenger-events.js';

export interface MessengerSettings {
  appSecret: string;
  pageAccessToken: string;
  verifyToken: string;
  /** Graph API base URL (default https://graph.facebook.com); tests point it at the fake. */
  graphUrl: string;
  /** Pinned Graph version (reference §2.5: v25.0 in the current docs). */
  graphVersion: string;
  /** The postback payload of the "Get started" button. */
  getStartedPayload?: string;
}

/**
 * Limits from developers.facebook.com/docs/messenger-platform (reference §2.5):
 * text "less than 2000 characters", at most 13 quick replies, titles of 20.
 */
const TEXT_LIMIT = 1999;
const QUICK_REPLIES = 13;
const TITLE_LIMIT = 20;
const PAYLOAD_LIMIT = 1000;
const HOUR = 3600_000;

interface MessengerMessage {
  message: {
    text: string;
    quick_replies?: { content_type: 'text'; title: string; payload: string }[];
  };
}

export function createMessengerAdapter(s: MessengerSettings): ChannelAdapter {
  const sendUrl = `${s.graphUrl.replace(/\/$/, '')}/${s.graphVersion}/me/messages`;
  const getStarted = s.getStartedPayload ?? 'GET_STARTED';

  function verify(raw: Buffer, headers: Parameters<typeof header>[0]) {
    // X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, raw body)> (reference §2.2).
    const given = header(headers, 'x-hub-signature-256');
    if (!given.startsWith('sha256=')) return false;
    const expected = createHmac('sha256', s.appSecret).update(raw).digest('hex');
    return safeEqual(given.slice('sha256='.length), expected);
  }

  async function post(body: object): Promise<void> {
    // The documented form: the Page token as a query parameter (reference §2.5).
    const url = `${sendUrl}?access_token=${encodeURIComponent(s.pageAccessToken)}`;
    const res = await callPlatform('messenger', url, {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (res.status >= 200 && res.status < 300) return;
    throw messengerError(res.status, res.body, retryAfterSeconds(res.headers));
  }

  return {
    name: 'messenger',
    path: '/webhooks/messenger',
    router(hooks) {
      const router = Router();
      // The subscription handshake (reference §2.1): echo hub.challenge when the token matches.
      router.get('/', (req, res) => {
        const q = req.query as Record<string, string | undefined>;
        if (
          q['hub.mode'] === 'subscribe' &&
          safeEqual(q['hub.verify_token'] ?? '', s.verifyToken)
        ) {
          res
            .status(200)
            .type('text/plain')
            .send(q['hub.challenge'] ?? '');
          return;
        }
        hooks.observe('bad_signature');
        res.status(403).json({ error: 'forbidden', message: 'verify token does not match' });
      });
      router.post(
        '/',
        ...signedWebhook({
          hooks,
          verify,
          parse: (body) => parseMessengerBody(body, getStarted),
          ack: 'EVENT_RECEIVED',
        }),
      );
      return router;
    },
    render: renderMessenger,
    async send(userId, message, context) {
      await post({
        recipient: { id: userId },
        ...messagingType(context),
        ...(message as MessengerMessage),
      });
      return { via: 'send' };
    },
    async typing(userId) {
      // Sender actions go alone, never with a message (reference §2.5).
      await post({ recipient: { id: userId }, sender_action: 'typing_on' }).catch(() => undefined);
    },
  };
}

/**
 * Within 24 h of the person's last message anything may be sent. After that,
 * only a person may write, for 7 days, with the HUMAN_AGENT tag (reference
 * §2.5); the bot's own messages then go as RESPONSE and Meta refuses them.
 */
function messagingType(context: SendContext) {
  const since = context.lastInboundAt ? Date.now() - context.lastInboundAt.getTime() : Infinity;
  if (context.human && since > 24 * HOUR)
    return { messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' };
  return { messaging_type: 'RESPONSE' };
}

export function renderMessenger(replies: Composed[]): MessengerMessage[] {
  return replies.flatMap((reply) => {
    const pieces = splitText(reply.text, TEXT_LIMIT);
    const choices = fitChoices(
      reply.choices.filter((c) => c.payload.length <= PAYLOAD_LIMIT),
      QUICK_REPLIES,
      TITLE_LIMIT,
    );
    return pieces.map((text, i) => ({
      message: {
        text,
        // Quick replies belong to the last piece: they are dismissed by the next message.
        ...(i === pieces.length - 1 && choices.length
          ? {
              quick_replies: choices.map((c) => ({
                content_type: 'text' as const,
                title: c.label,
                payload: c.payload,
              })),
            }
          : {}),
      },
    }));
  });
}

/** Graph errors: HTTP 400 with {error:{code, error_subcode}} (reference §2.5). */
function messengerError(status: number, body: unknown, retryAfter?: number): PlatformError {
  const e = (body as { error?: { code?: number; error_subcode?: number } } | undefined)?.error;
  const code = e?.code ?? 0;
  let reason: PlatformRefusal = 'invalid';
  let retryable = false;
  if (code === 10 && e?.error_subcode === 2018278) reason = 'window_closed';
  else if (code === 551) reason = 'blocked';
  else if (code === 190 || code === 200) reason = 'auth';
  else if (status === 429 || code === 4 || code === 32 || code === 613) {
    reason = 'rate_limited';
    retryable = true;
  } else if (status >= 500 || code === 1 || code === 2) {
    reason = 'server';
    retryable = true;
  }
  const detail = e?.error_subcode ? `${code}/${e.error_subcode}` : String(code);
  return new PlatformError('messenger', status, reason, detail, retryable, retryAfter);
}
