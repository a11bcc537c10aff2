import type { NextFunction, Request, Response } from 'express';

/** What one hit on a limiter says. */
export interface RateDecision {
  /** Under the limit: go on. */
  allowed: boolean;
  /** The first refusal in this window (so a friendly notice goes out once, not on every message). */
  firstRefusal: boolean;
  /** Milliseconds until the window ends. */
  retryAfterMs: number;
}

export interface WindowLimiter {
  hit(key: string): RateDecision;
}

/**
 * A fixed-window counter per key, in memory. Simple and enough to stop one
 * sender flooding one process; several instances each count their own share.
 * Expired keys are swept now and then, so the map stays as small as the number
 * of keys active in one window.
 */
export function createWindowLimiter(options: {
  limit: number;
  windowMs: number;
  now?: () => number;
}): WindowLimiter {
  const { limit, windowMs } = options;
  const now = options.now ?? Date.now;
  const windows = new Map<string, { start: number; count: number }>();
  let lastSweep = now();

  function sweep(at: number) {
    if (at - lastSweep < windowMs) return;
    lastSweep = at;
    for (const [key, w] of windows) if (at - w.start >= windowMs) windows.delete(key);
  }

  return {
    hit(key) {
      const at = now();
      sweep(at);
      let w = windows.get(key);
      if (!w || at - w.start >= windowMs) {
        w = { start: at, count: 0 };
        windows.set(key, w);
      }
      w.count++;
      return {
        allowed: w.count <= limit,
        firstRefusal: w.count === limit + 1,
        retryAfterMs: Math.max(0, w.start + windowMs - at),
      };
    },
  };
}

/**
 * Express middleware: at most `perMinute` requests a minute from one IP, then
 * 429 with Retry-After. Meant for webhook routes, where platforms post from
 * many addresses, so the default limit is generous. `req.ip` is the socket's
 * address unless the app trusts a proxy.
 */
export function ipRateLimit(perMinute: number, now?: () => number) {
  const limiter = createWindowLimiter({
    limit: perMinute,
    windowMs: 60_000,
    ...(now ? { now } : {}),
  });
  return (req: Request, res: Response, next: NextFunction) => {
    const decision = limiter.hit(req.ip ?? req.socket.remoteAddress ?? 'unknown');
    if (decision.allowed) return next();
    res.set('Retry-After', String(Math.ceil(decision.retryAfterMs / 1000)));
    res.status(429).json({
      error: { code: 'rate_limited', message: 'too many requests from this address, retry later' },
    });
  };
}
