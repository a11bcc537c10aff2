import type { IncomingMessage } from 'node:http';
import type { ExtendedError, Socket } from 'socket.io';
import { createWindowLimiter } from './rate-limit.js';

export interface ConnectionLimits {
  /** New connections one address may open per minute. */
  perMinute: number;
  /** Connections one address may hold open at once. */
  concurrent: number;
}

/** What a refused client receives as `connect_error`'s `data` (the widget shows a friendly line). */
export interface ConnectionRefusal {
  code: 'rate_limited';
  retryAfterSeconds: number;
}

/** How long a client refused for holding too many connections should wait before trying again. */
const CONCURRENT_RETRY_MS = 30_000;

/**
 * Socket.IO middleware: per-address caps on new connections per minute and
 * on connections held open, for the widget's namespace. Every connection
 * loads a conversation, so one address opening thousands could starve
 * everyone else. Counted per instance, in memory, like the other limits.
 * Register it after the handshake's own checks: a slot is taken here and
 * given back when the socket disconnects (or its connection closes first).
 */
export function limitConnections(
  limits: ConnectionLimits,
  clientAddress: (req: IncomingMessage) => string,
  onRefused: (reason: 'rate' | 'concurrent') => void = () => undefined,
  now?: () => number,
) {
  const rate = createWindowLimiter({
    limit: limits.perMinute,
    windowMs: 60_000,
    ...(now ? { now } : {}),
  });
  const open = new Map<string, number>();

  return (socket: Socket, next: (error?: ExtendedError) => void) => {
    const address = clientAddress(socket.request) || 'unknown';
    const decision = rate.hit(address);
    if (!decision.allowed) {
      onRefused('rate');
      return next(refusal('too many new connections from this address', decision.retryAfterMs));
    }
    const held = open.get(address) ?? 0;
    if (held >= limits.concurrent) {
      onRefused('concurrent');
      return next(refusal('too many open connections from this address', CONCURRENT_RETRY_MS));
    }
    open.set(address, held + 1);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      const left = (open.get(address) ?? 1) - 1;
      if (left > 0) open.set(address, left);
      else open.delete(address);
    };
    // A socket that never completes its connection emits no 'disconnect': its
    // transport's close gives the slot back instead. The listener goes with the socket,
    // so a long-lived connection that reconnects the namespace does not pile them up.
    socket.conn.once('close', release);
    socket.once('disconnect', () => {
      socket.conn.off('close', release);
      release();
    });
    next();
  };
}

function refusal(why: string, retryAfterMs: number): ExtendedError {
  const retryAfterSeconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  const data: ConnectionRefusal = { code: 'rate_limited', retryAfterSeconds };
  return Object.assign(new Error(`rate_limited: ${why}, retry in ${retryAfterSeconds} s`), {
    data,
  });
}
