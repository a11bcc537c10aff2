import { type Db, MongoBulkWriteError } from 'mongodb';
import type { ReportEvent, ReportField, ReportQuery } from '../../core/report-types.js';
import { countedKeys, dayOf, sumByField } from '../report-counting.js';
import type { Store } from '../store.js';
import { DUPLICATE_KEY } from './mongo-store.js';

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
): Promise<Pick<Store, 'recordEvent' | 'countEvents' | 'countAllEvents' | 'waitTimes'>> {
  const counts = db.collection<CountDoc>('report_counts');
  const waits = db.collection<{ at: Date; channel: string; kind: string; waitSeconds: number }>(
    'report_waits',
  );
  await counts.createIndex({ kind: 1, field: 1, day: 1 });
  await waits.createIndex({ kind: 1, at: 1 });
  const match = (q: ReportQuery) => (q.channel ? { channel: q.channel } : {});
  /**
   * A plain filtered query summed here: every compatible server answers it,
   * where FerretDB runs $group slowly (25 s for a year of counters).
   */
  async function sumCounts(q: ReportQuery, field?: ReportField) {
    const cursor = counts.find(
      {
        kind: q.kind,
        ...(field ? { field } : {}),
        day: { $gte: dayOf(q.from), $lt: dayOf(q.to) },
        ...match(q),
      },
      { projection: { field: 1, key: 1, count: 1 } },
    );
    return sumByField(await cursor.toArray());
  }
  return {
    async recordEvent(e: ReportEvent) {
      const day = dayOf(e.at);
      const ops = countedKeys(e).map(([field, key]) => ({
        updateOne: {
          filter: { _id: `${day}|${e.kind}|${e.channel}|${field}|${key}` },
          update: {
            $inc: { count: 1 },
            $setOnInsert: { day, kind: e.kind, channel: e.channel, field, key },
          },
          upsert: true,
        },
      }));
      try {
        await counts.bulkWrite(ops, { ordered: false });
      } catch (error) {
        // Two events created the same new counter at once: MongoDB retries that upsert itself,
        // FerretDB answers E11000 (the turn then failed, unanswered). The other counters were
        // counted, so only the refused ones go again; they exist now, and are incremented.
        const failed = error instanceof MongoBulkWriteError ? [error.writeErrors].flat() : [];
        if (failed.length === 0 || !failed.every((w) => w.code === DUPLICATE_KEY)) throw error;
        await counts.bulkWrite(
          failed.flatMap((w) => ops[w.index] ?? []),
          { ordered: false },
        );
      }
      if (e.waitSeconds !== undefined)
        await waits.insertOne({
          at: e.at,
          channel: e.channel,
          kind: e.kind,
          waitSeconds: e.waitSeconds,
        });
    },
    async countEvents(q, field: ReportField) {
      return (await sumCounts(q, field))[field] ?? [];
    },
    countAllEvents: (q) => sumCounts(q),
    async waitTimes(q) {
      const rows = await waits
        .find({ kind: q.kind, at: { $gte: q.from, $lt: q.to }, ...match(q) })
        .toArray();
      return rows.map((r) => r.waitSeconds);
    },
  };
}
