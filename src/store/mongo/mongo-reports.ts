import type { Db } from 'mongodb';
import type { ReportEvent, ReportField, ReportQuery } from '../../core/report-types.js';
import { countedKeys, dayOf } from '../report-counting.js';
import type { Store } from '../store.js';

interface CountDoc {
  _id: string;
  day: string;
  kind: string;
  channel: string;
  field: string;
  key: string;
  count: number;
}

/** Report figures on MongoDB as daily counters per field (one bulk write per event). */
export async function mongoReports(
  db: Db,
): Promise<Pick<Store, 'recordEvent' | 'countEvents' | 'waitTimes'>> {
  const counts = db.collection<CountDoc>('report_counts');
  const waits = db.collection<{ at: Date; channel: string; kind: string; waitSeconds: number }>(
    'report_waits',
  );
  await counts.createIndex({ kind: 1, field: 1, day: 1 });
  await waits.createIndex({ kind: 1, at: 1 });
  const match = (q: ReportQuery) => (q.channel ? { channel: q.channel } : {});
  return {
    async recordEvent(e: ReportEvent) {
      const day = dayOf(e.at);
      await counts.bulkWrite(
        countedKeys(e).map(([field, key]) => ({
          updateOne: {
            filter: { _id: `${day}|${e.kind}|${e.channel}|${field}|${key}` },
            update: {
              $inc: { count: 1 },
              $setOnInsert: { day, kind: e.kind, channel: e.channel, field, key },
            },
            upsert: true,
          },
        })),
        { ordered: false },
      );
      if (e.waitSeconds !== undefined)
        await waits.insertOne({
          at: e.at,
          channel: e.channel,
          kind: e.kind,
          waitSeconds: e.waitSeconds,
        });
    },
    async countEvents(q, field: ReportField) {
      const rows = await counts
        .aggregate<{ _id: string; count: number }>([
          {
            $match: {
              kind: q.kind,
              field,
              day: { $gte: dayOf(q.from), $lt: dayOf(q.to) },
              ...match(q),
            },
          },
          { $group: { _id: '$key', count: { $sum: '$count' } } },
          { $sort: { count: -1, _id: 1 } },
        ])
        .toArray();
      return rows.map((r) => ({ key: r._id, count: r.count }));
    },
    async waitTimes(q) {
      const rows = await waits
        .find({ kind: q.kind, at: { $gte: q.from, $lt: q.to }, ...match(q) })
        .toArray();
      return rows.map((r) => r.waitSeconds);
    },
  };
}
