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
