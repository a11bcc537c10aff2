import type { Logger } from 'pino';
import type { Server, Socket } from 'socket.io';
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
  // The token stays in this process (socket.data may be shared with other instances).
  const tokens = new WeakMap<Socket, string>();
  ns.use(async (socket, next) => {
    const token =
      typeof socket.handshake.auth?.token === 'string' ? socket.handshake.auth.token : undefined;
    const counsellor = await auth.authenticate(token).catch(() => undefined);
    if (!counsellor || !token) return next(new Error('unauthorised: sign in first'));
    socket.data.counsellor = counsellor;
    tokens.set(socket, token);
    next();
  });
  ns.on('connection', (socket) => {
    const token = tokens.get(socket) as string;
    void socket.join('counsellors');
    void socket.join(`counsellor:${socket.data.counsellor.id}`);
    void socket.join(`session:${auth.sessionKey(token)}`);
    // A revocation between the handshake's check and joining the rooms above would miss
    // this socket: one more look at the session closes that gap.
    void auth
      .authenticate(token)
      .catch(() => undefined)
      .then((still) => {
        if (!still) socket.disconnect(true);
      });
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
  // Ended sessions close their sockets at once, on every instance (the Redis adapter
  // carries disconnectSockets). The client sees "io server disconnect" and shows sign-in.
  auth.onSessionsEnded((ended) => {
    const room =
      'counsellorId' in ended ? `counsellor:${ended.counsellorId}` : `session:${ended.sessionKey}`;
    ns.in(room).disconnectSockets(true);
  });
  logger.debug('console gateway ready');
  return ns;
}
