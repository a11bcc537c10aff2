import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import express, { type Request, type Response } from 'express';
import type { ChannelEvent, WebhookHooks } from './channel.js';

export interface SignedWebhookOptions {
  hooks: WebhookHooks;
  /** True when the signature over the exact raw bytes is right. Runs before anything is parsed. */
  verify(raw: Buffer, headers: IncomingHttpHeaders): boolean;
  /** The platform's body as our events; throws on a body that is not the platform's shape. */
  parse(body: unknown): ChannelEvent[];
  /** Largest body accepted (default 1 MB; platforms send far less). */
  limit?: string;
  /** What the platform expects in the 200 (Messenger: EVENT_RECEIVED). */
  ack?: string;
}

/**
 * The shape every webhook shares: raw body, signature check, parse, events
 * stored (the inbox), 200, then the turn. A bad or missing signature gets 401 and nothing of the
 * body is read further or logged.
 */
export function signedWebhook(o: SignedWebhookOptions) {
  return [
    express.raw({ type: () => true, limit: o.limit ?? '1mb' }),
    async (req: Request, res: Response) => {
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      if (!o.verify(raw, req.headers)) {
        o.hooks.observe('bad_signature');
        res.status(401).json({ error: 'bad_signature', message: 'signature missing or wrong' });
        return;
      }
      let events: ChannelEvent[];
      try {
        events = o.parse(JSON.parse(raw.toString('utf8')));
      } catch {
        o.hooks.observe('bad_request');
        res.status(400).json({ error: 'bad_request', message: 'body is not a valid event' });
        return;
      }
      if (!(await acknowledgeable(o.hooks, events, res))) return;
      res.status(200).send(o.ack ?? 'OK');
    },
  ];
}

/**
 * Compares two secrets in constant time. Both sides are hashed first, so
 * their lengths leak nothing and `timingSafeEqual` always gets equal lengths.
 */
export function safeEqual(a: string | Buffer, b: string | Buffer): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

/** One header's value as a string ('' when missing or repeated). */
export function header(headers: IncomingHttpHeaders, name: string): string {
  const v = headers[name];
  return typeof v === 'string' ? v : '';
}

/**
 * When an event happened, from an epoch-ms field; now when the field is
 * missing, not a number or out of Date's range (an Invalid Date would break
 * the turn after the platform already had its 200).
 */
export function eventDate(ms: unknown): Date {
  const at = new Date(typeof ms === 'number' || typeof ms === 'string' ? Number(ms) : Number.NaN);
  return Number.isNaN(at.getTime()) || (typeof ms === 'string' && ms.trim() === '')
    ? new Date()
    : at;
}

/** A field that must be a non-empty string (an id, a payload), else undefined. */
export function textField(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/**
 * Stores the events before the platform gets its 200; when that fails the
 * platform gets 503 and delivers again, so an acknowledged event is never lost.
 */
export async function acknowledgeable(
  hooks: WebhookHooks,
  events: ChannelEvent[],
  res: Response,
): Promise<boolean> {
  try {
    if (events.length) await hooks.deliver(events);
  } catch {
    res.status(503).json({ error: 'unavailable', message: 'could not store the event; retry' });
    return false;
  }
  hooks.observe('accepted');
  return true;
}
