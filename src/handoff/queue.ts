import type { Ticket } from '../core/handoff-types.js';
import type { Urgency } from '../core/types.js';

const RANK: Record<Urgency, number> = { none: 0, urgent: 1, emergency: 2 };

export interface QueueSettings {
  /** Minutes of waiting worth one level of priority, so nothing waits forever. */
  ageingMinutesPerLevel: number;
  /** How long each level may wait unclaimed before an alert, in seconds. */
  targetSeconds: Record<Urgency, number>;
}

export const DEFAULT_QUEUE_SETTINGS: QueueSettings = {
  ageingMinutesPerLevel: 15,
  targetSeconds: { emergency: 120, urgent: 600, none: 1800 },
};

/**
 * The queue order: priority first and waiting time second, with ageing: each
 * `ageingMinutesPerLevel` waited counts as one level, so a long-waiting
 * question eventually passes a fresh urgent one. An emergency always stays
 * ahead of anything that is not an emergency.
 */
export function orderQueue(
  tickets: Ticket[],
  now: Date,
  s: QueueSettings = DEFAULT_QUEUE_SETTINGS,
): Ticket[] {
  const score = (t: Ticket) => {
    const waitedMinutes = (now.getTime() - t.openedAt.getTime()) / 60_000;
    const aged = RANK[t.level] + waitedMinutes / s.ageingMinutesPerLevel;
    return t.level === 'emergency' ? 1_000_000 + aged : Math.min(aged, RANK.emergency - 0.001);
  };
  return tickets
    .filter((t) => t.status === 'queued')
    .sort((a, b) => score(b) - score(a) || a.openedAt.getTime() - b.openedAt.getTime());
}

/** Tickets waiting past their level's target: these raise an alert. */
export function overdue(
  tickets: Ticket[],
  now: Date,
  s: QueueSettings = DEFAULT_QUEUE_SETTINGS,
): Ticket[] {
  return tickets.filter(
    (t) =>
      t.status === 'queued' &&
      now.getTime() - t.openedAt.getTime() > s.targetSeconds[t.level] * 1000,
  );
}

/** A rough expected wait: each ticket ahead takes about `minutesPerTicket` of one counsellor. */
export function expectedWaitMinutes(
  position: number,
  online: number,
  minutesPerTicket = 10,
): number {
  return Math.max(1, Math.ceil((position * minutesPerTicket) / Math.max(1, online)));
}
