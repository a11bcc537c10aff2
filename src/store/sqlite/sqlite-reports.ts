import type Database from 'better-sqlite3';
import type { ReportEvent, ReportQuery } from '../../core/report-types.js';
import { countedKeys, dayOf, sumByField } from '../report-counting.js';
import type { Store } from '../store.js';

/**
 * Report figures on SQLite as daily counters per field (one upsert per field
 * in a transaction), so a year of reports sums a few thousand rows instead of
 * scanning a million events; closed cases also keep their wait time.
 */
export function sqliteReports(
  db: Database.Database,
): Pick<Store, 'recordEvent' | 'countEvents' | 'countAllEvents' | 'waitTimes'> {
  const bump = db.prepare(
    `INSERT INTO report_counts (day, kind, channel, field, key, count) VALUES (?, ?, ?, ?, ?, 1)
     ON CONFLICT (kind, field, day, channel, key) DO UPDATE SET count = count + 1`,
  );
  const wait = db.prepare(
    'INSERT INTO report_events (at, channel, kind, wait_seconds) VALUES (?, ?, ?, ?)',
  );
  const record = db.transaction((e: ReportEvent) => {
    for (const [field, key] of countedKeys(e)) bump.run(dayOf(e.at), e.kind, e.channel, field, key);
    if (e.waitSeconds !== undefined) wait.run(e.at.getTime(), e.channel, e.kind, e.waitSeconds);
  });
  const channelClause = (q: ReportQuery) => (q.channel ? ' AND channel = @channel' : '');
  return {
    async recordEvent(e) {
      record(e);
    },
    async countEvents(q, field) {
      return db
        .prepare(
          `SELECT key, SUM(count) AS count FROM report_counts
           WHERE kind = @kind AND field = @field AND day >= @from AND day < @to${channelClause(q)}
           GROUP BY key ORDER BY count DESC, key`,
        )
        .all({
          kind: q.kind,
          field,
          from: dayOf(q.from),
          to: dayOf(q.to),
          ...(q.channel ? { channel: q.channel } : {}),
        }) as {
        key: string;
        count: number;
      }[];
    },
    async countAllEvents(q) {
      const rows = db
        .prepare(
          `SELECT field, key, SUM(count) AS count FROM report_counts
           WHERE kind = @kind AND day >= @from AND day < @to${channelClause(q)}
           GROUP BY field, key`,
        )
        .all({
          kind: q.kind,
          from: dayOf(q.from),
          to: dayOf(q.to),
          ...(q.channel ? { channel: q.channel } : {}),
        }) as { field: string; key: string; count: number }[];
      return sumByField(rows);
    },
    async waitTimes(q) {
      return (
        db
          .prepare(
            `SELECT wait_seconds AS w FROM report_events
             WHERE kind = @kind AND at >= @from AND at < @to AND wait_seconds IS NOT NULL${channelClause(q)}`,
          )
          .all({
            kind: q.kind,
            from: q.from.getTime(),
            to: q.to.getTime(),
            ...(q.channel ? { channel: q.channel } : {}),
          }) as { w: number }[]
      ).map((r) => r.w);
    },
  };
}
