/**
 * Errors with codes, so one error hook can log them without message text and
 * callers can tell a bad request from a failure of ours.
 */

/** The caller sent something we will not take (too long, malformed). Safe to show. */
export class InputError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'InputError';
  }
}

/** A turn failed; carries the conversation id (never the text). */
export class TurnError extends Error {
  constructor(
    readonly conversationId: string,
    options: { cause: unknown },
  ) {
    super(`turn failed in conversation ${conversationId}`, options);
    this.name = 'TurnError';
  }
}

/** Content files that do not validate; the message names the file and the field. */
export class ContentError extends Error {
  constructor(readonly problems: string[]) {
    super(`content is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ContentError';
  }
}

/** Why a platform refused a message, in our words (the counsellor sees it). */
export type PlatformRefusal =
  | 'blocked'
  | 'window_closed'
  | 'invalid'
  | 'auth'
  | 'rate_limited'
  | 'server'
  | 'other';

/**
 * The platform answered and said no. `retryable` errors (5xx, rate limits,
 * an expired token we could refresh) are tried again by the outbox; the others
 * are recorded and shown to the counsellor.
 */
export class PlatformError extends Error {
  constructor(
    readonly channel: string,
    readonly status: number,
    readonly reason: PlatformRefusal,
    /** The platform's own error code, e.g. Messenger 551, Zalo -230. */
    readonly code: string,
    readonly retryable: boolean,
    /** Seconds the platform asked us to wait (Retry-After). */
    readonly retryAfterSeconds?: number,
  ) {
    super(`${channel} refused the message: ${reason} (status ${status}, code ${code})`);
    this.name = 'PlatformError';
  }
}

/** The platform could not be reached (DNS, refused connection, timeout): always retried. */
export class PlatformUnreachableError extends Error {
  constructor(
    readonly channel: string,
    options: { cause: unknown },
  ) {
    super(`${channel} could not be reached`, options);
    this.name = 'PlatformUnreachableError';
  }
}
