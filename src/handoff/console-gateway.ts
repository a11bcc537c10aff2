import type { Logger } from 'pino';
import type { Server } from 'socket.io';
import { QUEUE_EVENTS } from '../core/console-events.js';
import type { ConsoleAuth } from './console-auth.js';
import type { EventBus } from './events.js';
import type { Handoff } from './handoff.js';

/**
 * Live events for counsellors on the Socket.IO namespace `/console`: ticket
 * opened, level raised, claimed by someone, closed, overdue, and messages from
 * the person, which go only to the counsellor who owns the chat (or to
 * everyone while it is still queued).
 */
export function attachConsoleGateway(
  io: Server,
  deps: { auth: ConsoleAuth; events: EventBus; logger: Logger; handoff: Handoff },
) {
  const { auth, events, logger } = deps;
  const ns = io.of('/console');
  ns.use(async (socket, next) => {
    const token =
      typeof socket.handshake.auth?.token === 'string' ? socket.handshake.auth.token : undefined;
    const counsellor = await auth.authenticate(token).catch(() => undefined);
    if (!counsellor) return next(new Error('unauthorised: sign in first'));
    socket.data.counsellor = counsellor;
    next();
  });
  ns.on('connection', (socket) => {
    void socket.join('counsellors');
    void socket.join(`counsellor:${socket.data.counsellor.id}`);
    socket.on('typing', (raw: unknown) => {
      const ticketId =
        typeof raw === 'object' && raw && 'ticketId' in raw ? String(raw.ticketId) : '';
      if (ticketId)
        void deps.handoff.counsellorTyping(ticketId, socket.data.counsellor).catch(() => undefined);
    });
  });

  for (const name of QUEUE_EVENTS) {
    events.on(name, (payload) => {
      ns.to('counsellors').emit(name, payload);
    });
  }
  events.on('message.received', ({ ticket, text, at }) => {
    const room =
      ticket.status === 'claimed' && ticket.ownerId
        ? `counsellor:${ticket.ownerId}`
        : 'counsellors';
    ns.to(room).emit('message.received', {
      ticketId: ticket.id,
      conversationId: ticket.conversationId,
      text,
      at,
    });
  });
  // Only ids and a reason: which chat, and why the person did not get a message.
  events.on('delivery.failed', (payload) => ns.to('counsellors').emit('delivery.failed', payload));
  logger.debug('console gateway ready');
  return ns;
}
