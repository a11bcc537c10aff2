import type { Counsellor, Ticket } from '../core/handoff-types.js';
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

type Speaker = Pick<Counsellor, 'id' | 'languages'>;

/**
 * The order in which "help next" offers tickets to one counsellor: the queue
 * order, except that a ticket in a language they do not speak steps behind
 * the ones they do, while a colleague online speaks it. Never an emergency
 * (it is taken by whoever is free, in any language), never a ticket already
 * past its target, and never a ticket that nobody online speaks (waiting for
 * a speaker who is not there would only make it wait longer).
 */
export function helpNextOrder(
  queue: Ticket[],
  counsellor: Speaker,
  online: Speaker[],
  now: Date,
  s: QueueSettings = DEFAULT_QUEUE_SETTINGS,
): Ticket[] {
  // No languages on the profile: no preference, the plain queue order.
  if (counsellor.languages.length === 0) return queue;
  const late = new Set(overdue(queue, now, s).map((t) => t.id));
  const colleagueSpeaks = (locale: string) =>
    online.some((c) => c.id !== counsellor.id && c.languages.includes(locale));
  const later = (t: Ticket) =>
    t.level !== 'emergency' &&
    !late.has(t.id) &&
    !counsellor.languages.includes(t.locale) &&
    colleagueSpeaks(t.locale);
  return [...queue.filter((t) => !later(t)), ...queue.filter(later)];
}

/** A language people wait in while no counsellor online speaks it. */
export interface UnservedLanguage {
  locale: string;
  waiting: number;
  emergencies: number;
}

/** For supervisors: the languages of queued tickets that nobody online speaks, most waiting first. */
export function unservedLanguages(tickets: Ticket[], online: Speaker[]): UnservedLanguage[] {
  const spoken = new Set(online.flatMap((c) => c.languages));
  const byLocale = new Map<string, UnservedLanguage>();
  for (const t of tickets) {
    if (t.status !== 'queued' || spoken.has(t.locale)) continue;
    const entry = byLocale.get(t.locale) ?? { locale: t.locale, waiting: 0, emergencies: 0 };
    entry.waiting++;
    if (t.level === 'emergency') entry.emergencies++;
    byLocale.set(t.locale, entry);
  }
  return [...byLocale.values()].sort(
    (a, b) => b.emergencies - a.emergencies || b.waiting - a.waiting,
  );
}
