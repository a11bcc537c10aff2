import { JSONParseError, middleware, SignatureValidationFailed } from '@line/bot-sdk';
import express, { type NextFunction, type Request, type Response, Router } from 'express';
import { PlatformError } from '../../core/errors.js';
import type { ChannelAdapter, ChannelEvent, SendContext, WebhookHooks } from '../channel.js';
import { acknowledgeable } from '../webhook.js';
import { createLineClient, type LineMessage, retryKeyFor } from './line-client.js';
import { parseLineBody } from './line-events.js';
import { renderLine } from './line-render.js';

export interface LineSettings {
  /** Signs webhooks (reference §3.2). */
  channelSecret: string;
  /** A long- or short-lived channel access token (§3.6). */
  channelAccessToken: string;
  /** Messaging API base URL (default https://api.line.me, §3.1); tests point it at the fake. */
  apiUrl: string;
  /**
   * A reply token older than this is not tried: LINE guarantees it for one
   * minute (§3.5), and a margin leaves time for the request itself. Default 50 s.
   */
  replyTokenMaxAgeMs?: number;
  /** Quick reply action label length: 20 is commonly cited, UNCONFIRMED (§3.6). */
  labelLimit?: number;
  /** loadingSeconds of the "typing" animation: 5..60 in steps of 5 (§3.6). Default 20. */
  loadingSeconds?: number;
  /** Longest wait for one API call. Default 10 s. */
  timeoutMs?: number;
}

/**
 * LINE through the official `@line/bot-sdk` (pinned to 11.0.0 for Node 20,
 * see line-client.ts): its middleware checks `x-line-signature` over the raw
 * body, and its MessagingApiClient sends. The first message of an answer uses
 * the event's free, single-use reply token while it is fresh; everything else
 * is pushed with an idempotency key (pushes count against the monthly quota, §3.5).
 */
export function createLineAdapter(s: LineSettings): ChannelAdapter {
  const maxAge = s.replyTokenMaxAgeMs ?? 50_000;
  const labelLimit = s.labelLimit ?? 20;
  const client = createLineClient({
    channelAccessToken: s.channelAccessToken,
    apiUrl: s.apiUrl,
    timeoutMs: s.timeoutMs ?? 10_000,
  });

  /** The reply token when it can serve this send: the answer's first request, while fresh. */
  function replyToken(context: SendContext): string | undefined {
    const token = context.hint?.replyToken;
    const at = Date.parse(context.hint?.receivedAt ?? '');
    if (!context.first || !token || Number.isNaN(at)) return undefined;
    return Date.now() - at < maxAge ? token : undefined;
  }

  return {
    name: 'line',
    path: '/webhooks/line',
    router: (hooks) => lineRouter(s.channelSecret, hooks),
    render: (replies) => renderLine(replies, labelLimit),
    async send(userId, message, context) {
      const messages = message as LineMessage[];
      const token = replyToken(context);
      if (token) {
        try {
          await client.reply(token, messages);
          return { via: 'reply' };
        } catch (error) {
          // Spent or expired after all (§3.5): push at once instead of waiting for a retry.
          if (!isSpentToken(error)) throw error;
        }
      }
      await client.push(userId, messages, retryKeyFor(context.key));
      return { via: 'push' };
    },
    async typing(userId) {
      // Best effort: the animation is a courtesy, and shows only in one-to-one chats (§3.6).
      await client.loading(userId, s.loadingSeconds ?? 20).catch(() => undefined);
    },
  };
}

/** §3.5: an expired or used token is 400 `{"message":"Invalid reply token"}`. */
function isSpentToken(error: unknown): boolean {
  return error instanceof PlatformError && error.status === 400 && /reply token/i.test(error.code);
}

/**
 * POST /webhooks/line. The service mounts webhooks before `express.json`, so
 * the body is still raw here; `express.raw` caps its size, and the SDK
 * middleware verifies the signature over those exact bytes and parses them
 * (§3.3). LINE is answered 200 at once (§5) and the events go on after.
 */
function lineRouter(channelSecret: string, hooks: WebhookHooks): Router {
  const router = Router();
  router.post(
    '/',
    express.raw({ type: () => true, limit: '1mb' }),
    middleware({ channelSecret }),
    async (req: Request, res: Response) => {
      let events: ChannelEvent[];
      try {
        events = parseLineBody(req.body);
      } catch {
        hooks.observe('bad_request');
        res.status(400).json({ error: 'bad_request', message: 'body is not a LINE webhook' });
        return;
      }
      // An empty list is LINE checking the connection (§3.4): nothing to hand over.
      if (!(await acknowledgeable(hooks, events, res))) return;
      res.status(200).json({});
    },
  );
  // The SDK middleware reports through next(err) (§3.3); nothing of the body is logged.
  router.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (error instanceof SignatureValidationFailed) {
      hooks.observe('bad_signature');
      res.status(401).json({ error: 'bad_signature', message: 'signature missing or wrong' });
    } else if (error instanceof JSONParseError || isClientError(error)) {
      hooks.observe('bad_request');
      const status = error instanceof JSONParseError ? 400 : (error as { status: number }).status;
      res.status(status).json({ error: 'bad_request', message: 'body is not a LINE webhook' });
    } else {
      next(error);
    }
  });
  return router;
}

/** body-parser's own refusals (too large, bad encoding) carry a 4xx `status`. */
function isClientError(error: unknown): boolean {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' && status >= 400 && status < 500;
}
