import type { Db } from 'mongodb';
import type { ReportEvent, ReportField, ReportQuery } from '../../core/report-types.js';
import type { Store } from '../store.js';

const match = (q: ReportQuery) => ({
  kind: q.kind,
  at: { $gte: q.from, $lt: q.to },
  ...(q.channel ? { channel: q.channel } : {}),
});

/** Report events on MongoDB: grouped counts are one aggregation ($match, $group). */
export async function mongoReports(
  db: Db,
): Promise<Pick<Store, 'recordEvent' | 'countEvents' | 'waitTimes'>> {
  const events = db.collection<ReportEvent>('report_events');
  await events.createIndex({ kind: 1, at: 1 });
  return {
    async recordEvent(e) {
      await events.insertOne({ ...e });
    },
    async countEvents(q, field: ReportField) {
      const rows = await events
        .aggregate<{ _id: string | null; count: number }>([
          { $match: match(q) },
          { $group: { _id: `$${field}`, count: { $sum: 1 } } },
          { $sort: { count: -1 } },
        ])
        .toArray();
      return rows.map((r) => ({ key: r._id ?? '(none)', count: r.count }));
    },
    async waitTimes(q) {
      const rows = await events
        .find({ ...match(q), waitSeconds: { $exists: true } }, { projection: { waitSeconds: 1 } })
        .toArray();
      return rows.map((r) => r.waitSeconds as number);
    },
  };
}
