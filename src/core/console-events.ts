/** Queue events pushed to every counsellor on the `/console` namespace (server and console UI share the list). */
export const QUEUE_EVENTS = [
  'ticket.opened',
  'ticket.raised',
  'ticket.claimed',
  'ticket.released',
  'ticket.closed',
  'ticket.overdue',
] as const;
