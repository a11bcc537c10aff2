import { Activity, type ConversationReference } from '@microsoft/agents-activity';
import {
  type AuthConfiguration,
  CloudAdapter,
  HttpError,
  type Request as SdkRequest,
  type WebResponse,
} from '@microsoft/agents-hosting';
import type { Request, Response } from 'express';
import {
  PlatformError,
  type PlatformRefusal,
  PlatformUnreachableError,
} from '../../core/errors.js';
import { retryAfterSeconds } from '../http.js';

/**
 * The Microsoft 365 Agents SDK (`@microsoft/agents-hosting`, the successor of
 * the archived botbuilder, reference §4.1) used for what it is good at: the
 * inbound JWT check and authenticated connector calls. Its `process()` is not
 * used: it answers the HTTP request only after the turn and never retries a
 * failed connector call (§4.2), while our outbox must own retries.
 */

export interface ConnectorSettings {
  appId?: string;
  appPassword?: string;
  tenantId?: string;
  /** How long one connector call may take before it counts as unreachable. */
  timeoutMs: number;
}

const CHANNEL = 'botframework';

/**
 * Connector error bodies that mean the person cannot be written to any more:
 * Teams answers 403 with MessageWritesBlocked when the bot was blocked or
 * uninstalled (learn.microsoft.com/microsoftteams/platform/bots/how-to/
 * conversations/send-proactive-messages), ConversationBlockedByUser and
 * BotNotInConversationRoster in its error codes.
 */
const GONE = /MessageWritesBlocked|ConversationBlockedByUser|BotNotInConversationRoster/i;

export type Connector = ReturnType<typeof createConnector>;

export function createConnector(s: ConnectorSettings) {
  const adapter = new CloudAdapter(authConfiguration(s));
  // The SDK's default handler would post English error texts to the person; a
  // failed send is ours to classify and retry.
  adapter.onTurnError = async (_context, error) => {
    throw error;
  };
  // Without an app id, the `{}` identity makes the SDK build a connector client
  // that sends no Authorization header (anonymous mode, §4.2).
  const identity = s.appId ?? {};

  return {
    /**
     * The SDK's `authorizeJWT` check on a request: true when it may go on.
     * Otherwise the SDK has already answered 401 (or 405).
     */
    async authorize(req: Request, res: Response): Promise<boolean> {
      let passed = false;
      await adapter.authorizeRequest(
        req as unknown as SdkRequest,
        res as unknown as WebResponse,
        () => {
          passed = true;
        },
      );
      return passed;
    },

    /**
     * Posts one activity through the connector at `address.serviceUrl`: as a
     * reply to `replyToId` (POST …/activities/{replyToId}) or, without one,
     * as a new message in the conversation (POST …/activities), §4.2.
     */
    async post(address: Record<string, string>, activity: object, replyToId?: string) {
      const reference = referenceOf(address, replyToId);
      const outgoing = validActivity(activity);
      const call = adapter.continueConversation(identity, reference, async (context) => {
        if (!replyToId) {
          // The SDK would invent a reply-to id for a continuation; a proactive
          // message is a plain send to the conversation instead.
          context.onSendActivities(async (_c, activities, next) => {
            for (const a of activities) a.replyToId = undefined;
            return next();
          });
        }
        await context.sendActivity(outgoing);
      });
      await withTimeout(call, s.timeoutMs);
    },
  };
}

/** Settings passed explicitly, so that the SDK's own variables (clientId, Connections__…) cannot replace them. */
function authConfiguration(s: ConnectorSettings): AuthConfiguration {
  const connection: AuthConfiguration = {
    clientId: s.appId,
    clientSecret: s.appPassword,
    tenantId: s.tenantId,
  };
  return {
    ...connection,
    connections: new Map([['serviceConnection', connection]]),
    connectionsMap: [{ serviceUrl: '*', connection: 'serviceConnection' }],
  };
}

function referenceOf(address: Record<string, string>, replyToId?: string): ConversationReference {
  const { serviceUrl, channelId, conversationId, botId, userId, tenantId } = address;
  if (!serviceUrl || !channelId || !conversationId || !botId || !userId) {
    throw new PlatformError(CHANNEL, 0, 'invalid', 'no_address', false);
  }
  return {
    serviceUrl,
    channelId,
    conversation: { id: conversationId, ...(tenantId ? { tenantId } : {}) },
    agent: { id: botId },
    user: { id: userId },
    ...(replyToId ? { activityId: replyToId } : {}),
  } as ConversationReference;
}

/** The SDK's schema check, before any call: a message it refuses would be refused on every retry. */
function validActivity(activity: object): Activity {
  try {
    return Activity.fromObject(activity);
  } catch {
    throw new PlatformError(CHANNEL, 0, 'invalid', 'bad_activity', false);
  }
}

/** The SDK's fetch has no timeout of its own: a hung connector must not hold the outbox lease. */
async function withTimeout(call: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new PlatformUnreachableError(CHANNEL, { cause: new Error('timed out') })),
      ms,
    );
  });
  try {
    await Promise.race([call.catch((error) => Promise.reject(connectorError(error))), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * What the SDK throws, in our terms. A connector answer other than 2xx comes
 * as the SDK's `HttpError` with `status`, `response.data` (the connector's
 * `{error:{code,message}}`) and `response.headers`; a failed fetch comes as
 * the platform's TypeError; anything else (a token that could not be had, an
 * SDK check) is treated as unreachable and retried until the item expires,
 * except MSAL's verdict that our credentials are wrong.
 */
export function connectorError(error: unknown): Error {
  if (error instanceof PlatformError || error instanceof PlatformUnreachableError) return error;
  if (error instanceof HttpError) {
    const body = error.response?.data as { error?: { code?: unknown } } | undefined;
    const code = typeof body?.error?.code === 'string' ? body.error.code : String(error.status);
    const detail = `${code} ${JSON.stringify(error.response?.data ?? '')}`;
    const { reason, retryable } = classify(error.status, detail);
    const wait = error.response?.headers ? retryAfterSeconds(error.response.headers) : undefined;
    return new PlatformError(CHANNEL, error.status, reason, code, retryable, wait);
  }
  const msal = (error as { errorCode?: unknown } | undefined)?.errorCode;
  if (msal === 'invalid_client' || msal === 'unauthorized_client') {
    return new PlatformError(CHANNEL, 401, 'auth', msal, false);
  }
  return new PlatformUnreachableError(CHANNEL, { cause: error });
}

function classify(status: number, detail: string): { reason: PlatformRefusal; retryable: boolean } {
  if (status === 429) return { reason: 'rate_limited', retryable: true };
  if (status >= 500 || status === 408) return { reason: 'server', retryable: true };
  // 404: the conversation is gone (ConversationNotFound); 403 with a blocking code: see GONE.
  if (status === 404 || (status === 403 && GONE.test(detail))) {
    return { reason: 'blocked', retryable: false };
  }
  if (status === 401 || status === 403) return { reason: 'auth', retryable: false };
  return { reason: 'invalid', retryable: false };
}
