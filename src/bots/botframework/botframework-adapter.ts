import express, { type Request, type Response, Router } from 'express';
import type { ChannelAdapter, ChannelEvent, WebhookHooks } from '../channel.js';
import { acknowledgeable } from '../webhook.js';
import { createConnector } from './botframework-client.js';
import { activityEvents, type InboundActivity, parseActivity } from './botframework-events.js';
import { DEFAULT_RENDER, type RenderSettings, renderBotFramework } from './botframework-render.js';

export interface BotFrameworkSettings extends Partial<RenderSettings> {
  /** The Azure Bot's Microsoft App ID (BOTFRAMEWORK_APP_ID). */
  appId?: string;
  /** Its client secret (BOTFRAMEWORK_APP_PASSWORD). */
  appPassword?: string;
  /** The app registration's tenant, for single-tenant bots (BOTFRAMEWORK_TENANT_ID). */
  tenantId?: string;
  /** No credentials at all: local Emulator and tests only (the registry refuses it in production). */
  anonymous: boolean;
  /** How long one connector call may take (default 10 s, like callPlatform). */
  timeoutMs?: number;
  /** Largest Activity accepted (default 1 MB). */
  bodyLimit?: string;
}

/**
 * Bot Framework through Azure Bot Service: Web Chat / Direct Line, Teams and
 * the other channels the Azure Bot is connected to, on the messaging endpoint
 * registered as https://<host>/api/messages.
 *
 * Inbound: the SDK's JWT check, then the Activity is acknowledged with 200 at
 * once and handed over; the turn runs after the acknowledgement. Outbound: the
 * outbox calls `send`, which posts through the SDK's connector client, so
 * retries are the outbox's (the SDK has none, reference §4.2).
 */
export function createBotFrameworkAdapter(settings: BotFrameworkSettings): ChannelAdapter {
  if (settings.anonymous && settings.appId) {
    throw new Error(
      'BOTFRAMEWORK_ANONYMOUS=true cannot be combined with BOTFRAMEWORK_APP_ID: unset one of them',
    );
  }
  if (!settings.anonymous && !(settings.appId && settings.appPassword)) {
    throw new Error('botframework needs BOTFRAMEWORK_APP_ID and BOTFRAMEWORK_APP_PASSWORD');
  }
  const render: RenderSettings = {
    textLimit: settings.textLimit ?? DEFAULT_RENDER.textLimit,
    actionLimit: settings.actionLimit ?? DEFAULT_RENDER.actionLimit,
    titleLimit: settings.titleLimit ?? DEFAULT_RENDER.titleLimit,
    actionType: settings.actionType ?? DEFAULT_RENDER.actionType,
  };
  const connector = createConnector({
    ...(settings.appId ? { appId: settings.appId } : {}),
    ...(settings.appPassword ? { appPassword: settings.appPassword } : {}),
    ...(settings.tenantId ? { tenantId: settings.tenantId } : {}),
    timeoutMs: settings.timeoutMs ?? 10_000,
  });

  function router(hooks: WebhookHooks) {
    const r = Router();
    r.post(
      '/',
      // The token is checked before a byte of the body is read.
      async (req, res, next) => {
        if (await connector.authorize(req, res)) next();
        else hooks.observe('bad_signature');
      },
      express.raw({ type: () => true, limit: settings.bodyLimit ?? '1mb' }),
      (req, res) => accept(req, res, hooks),
    );
    return r;
  }

  return {
    name: 'botframework',
    path: '/api/messages',
    router,
    render: (replies) => renderBotFramework(replies, render),
    async send(_userId, message, context) {
      // A turn's answer replies to the message, where it came from; anything
      // else (a counsellor's reply) goes to the conversation's latest address.
      const replyToId = context.hint?.replyToId;
      const address = replyToId ? context.hint : context.address;
      await connector.post(address ?? {}, message as object, replyToId);
      return { via: 'send' };
    },
    async typing(_userId, address) {
      // Best effort, like Messenger's sender action: a lost "typing…" is not retried.
      if (address) await connector.post(address, { type: 'typing' }).catch(() => undefined);
    },
  };
}

/** Parses, answers 200 at once, then hands the events over. */
async function accept(req: Request, res: Response, hooks: WebhookHooks) {
  let events: ChannelEvent[];
  try {
    const raw = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
    const activity = parseActivity(JSON.parse(raw));
    if (!serviceUrlAllowed(req, activity)) {
      hooks.observe('bad_signature');
      res.status(401).json({ error: 'bad_signature', message: 'token is for another serviceUrl' });
      return;
    }
    events = activityEvents(activity);
  } catch {
    hooks.observe('bad_request');
    res.status(400).json({ error: 'bad_request', message: 'body is not a valid Activity' });
    return;
  }
  if (!(await acknowledgeable(hooks, events, res))) return;
  res.status(200).end();
}

/**
 * A verified token names the connector it came from (`serviceurl` claim).
 * Replies carry our own token to activity.serviceUrl, so it must be that host:
 * the SDK only warns about a mismatch unless told to refuse (CloudAdapter
 * validateServiceUrl); we refuse. Anonymous requests have no claim.
 */
function serviceUrlAllowed(req: Request, activity: InboundActivity): boolean {
  const claim = (req as { user?: { serviceurl?: unknown } }).user?.serviceurl;
  if (typeof claim !== 'string') return true;
  try {
    return (
      new URL(claim).hostname.toLowerCase() === new URL(activity.serviceUrl).hostname.toLowerCase()
    );
  } catch {
    return false;
  }
}
