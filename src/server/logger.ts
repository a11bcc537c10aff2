import pino, { type DestinationStream, type Logger } from 'pino';

/**
 * Structured JSON logs. We never pass message text or user ids to the logger
 * at info level; the redaction below is a second line of defence for fields
 * that might slip in through an error object.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'safe-journey' },
    redact: {
      paths: [
        'text',
        'userId',
        'session',
        '*.text',
        '*.userId',
        '*.session',
        'req.headers.cookie',
        'req.headers.authorization',
      ],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

export type { Logger };
