import { EventEmitter } from 'node:events';
import type { Ticket } from '../core/handoff-types.js';

/** Live events for the console. Payloads carry ids and levels; text only in `message.received`. */
export interface HandoffEvents {
  'ticket.opened': { ticket: Ticket };
  'ticket.raised': { ticket: Ticket };
  'ticket.claimed': { ticket: Ticket; by: string };
  'ticket.released': { ticket: Ticket };
  'ticket.closed': { ticket: Ticket };
  'ticket.overdue': { ticket: Ticket; waitedSeconds: number };
  'message.received': { ticket: Ticket; text: string; at: Date };
  /** A message to the person could not be delivered (blocked, window closed, expired). */
  'delivery.failed': { conversationId: string; reason: string; at: Date };
}

export interface EventBus {
  emit<K extends keyof HandoffEvents>(event: K, payload: HandoffEvents[K]): void;
  on<K extends keyof HandoffEvents>(
    event: K,
    listener: (payload: HandoffEvents[K]) => void,
  ): () => void;
}

export function createEventBus(): EventBus {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(100);
  return {
    emit: (event, payload) => {
      emitter.emit(event, payload);
    },
    on: (event, listener) => {
      emitter.on(event, listener as (p: unknown) => void);
      return () => emitter.off(event, listener as (p: unknown) => void);
    },
  };
}
