import type Database from 'better-sqlite3';
import { REPORT_FIELDS, type ReportField, type ReportQuery } from '../../core/report-types.js';
import type { Store } from '../store.js';

const COLUMN: Record<ReportField, string> = {
  intent: 'intent',
  topic: 'topic',
  urgency: 'urgency',
  locale: 'locale',
  outcome: 'outcome',
  detail: 'detail',
  agency: 'agency',
  callerType: 'caller_type',
  gender: 'gender',
  province: 'province',
  region: 'region',
};

const where = (q: ReportQuery) =>
  `kind = @kind AND at >= @from AND at < @to${q.channel ? ' AND channel = @channel' : ''}`;
const params = (q: ReportQuery) => ({
  kind: q.kind,
  from: q.from.getTime(),
  to: q.to.getTime(),
  ...(q.channel ? { channel: q.channel } : {}),
});

/** Report events on SQLite: grouped counts are one indexed GROUP BY. */
export function sqliteReports(
  db: Database.Database,
): Pick<Store, 'recordEvent' | 'countEvents' | 'waitTimes'> {
  const insert = db.prepare(
    `INSERT INTO report_events (at, channel, kind, intent, topic, urgency, locale, outcome, detail, agency,
       caller_type, gender, province, region, wait_seconds)
     VALUES (@at, @channel, @kind, @intent, @topic, @urgency, @locale, @outcome, @detail, @agency,
       @callerType, @gender, @province, @region, @waitSeconds)`,
  );
  return {
    async recordEvent(e) {
      insert.run({
        at: e.at.getTime(),
        channel: e.channel,
        kind: e.kind,
        ...Object.fromEntries(REPORT_FIELDS.map((f) => [f, e[f] ?? null])),
        waitSeconds: e.waitSeconds ?? null,
      });
    },
    async countEvents(q, field) {
      const column = COLUMN[field];
      const rows = db
        .prepare(
          `SELECT ${column} AS key, COUNT(*) AS count FROM report_events WHERE ${where(q)} GROUP BY ${column} ORDER BY count DESC`,
        )
        .all(params(q)) as { key: string | null; count: number }[];
      return rows.map((r) => ({ key: r.key ?? '(none)', count: r.count }));
    },
    async waitTimes(q) {
      return (
        db
          .prepare(
            `SELECT wait_seconds AS w FROM report_events WHERE ${where(q)} AND wait_seconds IS NOT NULL`,
          )
          .all(params(q)) as {
          w: number;
        }[]
      ).map((r) => r.w);
    },
  };
}
