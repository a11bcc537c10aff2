import type { Logger } from 'pino';
import type { Store } from '../store/store.js';
import type { EventBus } from './events.js';
import { overdue, type QueueSettings } from './queue.js';

/**
 * Watches the queue: a ticket unclaimed past its level's target (emergency
 * 2 minutes by default) is logged, pushed to the console, and posted to the
 * alert webhook once. The webhook gets ids and levels, never message text.
 */
export function startQueueAlerts(deps: {
  store: Store;
  events: EventBus;
  logger: Logger;
  settings: QueueSettings;
  webhookUrl?: string;
  intervalMs?: number;
  now?: () => Date;
}): () => void {
  const { store, events, logger, settings } = deps;
  const now = deps.now ?? (() => new Date());
  async function check() {
    for (const ticket of overdue(await store.listOpenTickets(), now(), settings)) {
      // Once per ticket across every instance: the store decides who alerts.
      if (!(await store.markTicketAlerted(ticket.id))) continue;
      const waitedSeconds = Math.round((now().getTime() - ticket.openedAt.getTime()) / 1000);
      logger.warn(
        { ticketId: ticket.id, level: ticket.level, waitedSeconds },
        'ticket waiting past its target',
      );
      events.emit('ticket.overdue', { ticket, waitedSeconds });
      if (deps.webhookUrl) {
        await fetch(deps.webhookUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            event: 'ticket.overdue',
            ticketId: ticket.id,
            level: ticket.level,
            waitedSeconds,
          }),
          signal: AbortSignal.timeout(5000),
        }).catch((error: unknown) => logger.error({ err: error }, 'alert webhook failed'));
      }
    }
  }
  const timer = setInterval(() => {
    check().catch((error: unknown) => logger.error({ err: error }, 'queue alert check failed'));
  }, deps.intervalMs ?? 15_000);
  timer.unref();
  return () => clearInterval(timer);
}
