import { REPORT_FIELDS, type ReportEvent } from '../core/report-types.js';

/** The UTC day of a moment, as counted: "2026-11-22". */
export const dayOf = (d: Date) => d.toISOString().slice(0, 10);

/** Every field an event is counted under ("(none)" when it has no value there). */
export const countedKeys = (e: ReportEvent) =>
  REPORT_FIELDS.map((f) => [f, e[f] ?? '(none)'] as const);

export type CountRow = { key: string; count: number };

/** Adds counter rows up per field and key; each field's rows biggest first, then by key. */
export function sumByField(
  rows: Iterable<{ field: string; key: string; count: number }>,
): Record<string, CountRow[]> {
  const totals = new Map<string, Map<string, number>>();
  for (const r of rows) {
    const field = totals.get(r.field) ?? new Map<string, number>();
    field.set(r.key, (field.get(r.key) ?? 0) + r.count);
    totals.set(r.field, field);
  }
  const out: Record<string, CountRow[]> = {};
  for (const [field, keys] of totals) {
    out[field] = [...keys.entries()]
      .map(([key, count]) => ({ key, count }))
      .sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }
  return out;
}
