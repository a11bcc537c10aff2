import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Namespace, Server, Socket } from 'socket.io';
import { z } from 'zod';
import type { Locale, Reply, StoredMessage, TurnResult } from '../core/types.js';
import type { Engine } from '../engine/engine.js';
import { menuReply } from '../engine/replies.js';
import type { KnowledgeBase } from '../knowledge/knowledge-base.js';
import { type ConnectionLimits, limitConnections } from './connection-limit.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';

/** What the widget sends. Anything else gets a clear error and changes nothing. */
const authSchema = z.object({
  session: z
    .string()
    .regex(/^[A-Za-z0-9_-]{16,128}$/, 'session must be 16-128 URL-safe characters'),
  lang: z
    .string()
    .regex(/^[a-z]{2,3}$/)
    .optional(),
});
const messageSchema = z.object({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'id must be 1-64 URL-safe characters'),
  text: z.string(),
});
const choiceSchema = z.object({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  payload: z.string().min(1).max(200),
  label: z.string().max(300).default(''),
});

export interface ChatError {
  code: 'bad_request' | 'too_long' | 'rate_limited' | 'server_error';
  message: string;
}
export type ChatAck =
  | { ok: true; replies: Reply[]; locale: Locale; duplicate: boolean }
  | { ok: false; error: ChatError };

/** One line of the transcript as the widget draws it. */
export interface WidgetMessage {
  from: 'user' | 'bot';
  text: string;
  reply?: Reply;
}

export interface ChatGatewayOptions {
  engine: Engine;
  knowledge: KnowledgeBase;
  logger: Logger;
  metrics: Metrics;
  maxMessageChars: number;
  /** Messages allowed per socket per 10 seconds. */
  rateLimit?: number;
  /** Per-address caps on new and open connections (none when absent). */
  connectionLimits?: ConnectionLimits;
  /** The person's address for a handshake (under the app's trust proxy); the socket's peer by default. */
  clientAddress?: (req: IncomingMessage) => string;
}

/**
 * The web widget's door: the Socket.IO namespace `/chat`. A tab identifies
 * itself with a random session key kept in sessionStorage; we store only its
 * hash, so the database never holds the key that opens a conversation.
 */
export function attachChatGateway(io: Server, options: ChatGatewayOptions): Namespace {
  const { engine, knowledge, logger, metrics, maxMessageChars, rateLimit = 20 } = options;
  const chat = io.of('/chat');

  chat.use((socket, next) => {
    const auth = authSchema.safeParse(socket.handshake.auth);
    if (!auth.success) {
      next(new Error(`bad_request: ${auth.error.issues[0]?.message ?? 'invalid session'}`));
      return;
    }
    socket.data.userId = createHash('sha256').update(auth.data.session).digest('base64url');
    socket.data.lang = auth.data.lang;
    next();
  });
  if (options.connectionLimits) {
    chat.use(
      limitConnections(
        options.connectionLimits,
        options.clientAddress ?? ((req) => req.socket.remoteAddress ?? ''),
        (reason) => metrics.chatConnectionsRefused.inc({ reason }),
      ),
    );
  }

  chat.on('connection', (socket) => {
    metrics.chatSockets.inc();
    // Counsellors' messages reach every tab of this person through this room.
    void socket.join(`user:${socket.data.userId}`);
    socket.on('disconnect', () => metrics.chatSockets.dec());
    void sendHistory(socket);
    const allow = createRateLimiter(rateLimit, 10_000);

    socket.on('message', (raw: unknown, ack: unknown) => {
      const parsed = messageSchema.safeParse(raw);
      if (!parsed.success) return answer(socket, ack, badRequest(parsed.error.issues[0]?.message));
      if (parsed.data.text.length > maxMessageChars) {
        metrics.turnErrors.inc({ reason: 'too_long' });
        return answer(socket, ack, {
          ok: false,
          error: { code: 'too_long', message: `message longer than ${maxMessageChars} characters` },
        });
      }
      if (!allow()) return answer(socket, ack, rateLimited());
      void runTurn(socket, ack, parsed.data.id, parsed.data.text);
    });

    socket.on('choice', (raw: unknown, ack: unknown) => {
      const parsed = choiceSchema.safeParse(raw);
      if (!parsed.success) return answer(socket, ack, badRequest(parsed.error.issues[0]?.message));
      if (!allow()) return answer(socket, ack, rateLimited());
      void runTurn(socket, ack, parsed.data.id, parsed.data.label, parsed.data.payload);
    });
  });

  async function sendHistory(socket: Socket) {
    try {
      const { conversation, messages } = await engine.history('web', socket.data.userId);
      const locale = conversation?.locale ?? socket.data.lang ?? knowledge.defaultLocale;
      const welcome = menuReply(knowledge, locale, knowledge.messages(locale).greeting);
      socket.emit('history', { locale, messages: messages.map(toWidgetMessage), welcome });
    } catch (error) {
      logger.error({ err: error }, 'could not load chat history');
      socket.emit('chat_error', {
        code: 'server_error',
        message: 'could not load the conversation',
      });
    }
  }

  async function runTurn(socket: Socket, ack: unknown, id: string, text: string, choice?: string) {
    const stop = metrics.turnSeconds.startTimer();
    try {
      const result: TurnResult = await engine.handle({
        channel: 'web',
        userId: socket.data.userId,
        // The tab chooses its ids: scoped to the person, so nobody can mark another's message as seen.
        messageId: `${socket.data.userId}:${id}`,
        text,
        ...(choice ? { choice } : {}),
        ...(socket.data.lang ? { localeHint: socket.data.lang } : {}),
        receivedAt: new Date(),
      });
      metrics.turns.inc({ channel: 'web', intent: result.intent });
      answer(socket, ack, {
        ok: true,
        replies: result.replies,
        locale: result.locale,
        duplicate: result.duplicate,
      });
    } catch (error) {
      metrics.turnErrors.inc({ reason: 'server_error' });
      logger.error({ err: error }, 'web turn failed');
      answer(socket, ack, {
        ok: false,
        error: { code: 'server_error', message: 'something went wrong, please try again' },
      });
    } finally {
      stop();
    }
  }

  return chat;
}

function toWidgetMessage(m: StoredMessage): WidgetMessage {
  return m.direction === 'in'
    ? { from: 'user', text: m.text }
    : { from: 'bot', text: m.text, ...(m.reply ? { reply: m.reply } : {}) };
}

const badRequest = (message = 'invalid event'): ChatAck => ({
  ok: false,
  error: { code: 'bad_request', message },
});
const rateLimited = (): ChatAck => ({
  ok: false,
  error: { code: 'rate_limited', message: 'too many messages, please wait a few seconds' },
});

/** Replies through the acknowledgement when the client asked for one, else as an event. */
function answer(socket: Socket, ack: unknown, payload: ChatAck) {
  if (typeof ack === 'function') ack(payload);
  else if (!payload.ok) socket.emit('chat_error', payload.error);
}

/** A fixed-window limiter per socket: simple, and enough to stop a flood from one tab. */
function createRateLimiter(limit: number, windowMs: number) {
  let windowStart = Date.now();
  let count = 0;
  return () => {
    const now = Date.now();
    if (now - windowStart > windowMs) {
      windowStart = now;
      count = 0;
    }
    count++;
    return count <= limit;
  };
}
