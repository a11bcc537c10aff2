import { REPORT_FIELDS, type ReportEvent } from '../core/report-types.js';

/** The UTC day of a moment, as counted: "2026-11-22". */
export const dayOf = (d: Date) => d.toISOString().slice(0, 10);

/** Every field an event is counted under ("(none)" when it has no value there). */
export const countedKeys = (e: ReportEvent) =>
  REPORT_FIELDS.map((f) => [f, e[f] ?? '(none)'] as const);
