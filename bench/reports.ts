/**
 * npm run bench:reports — a year of data: N message events (default 1,000,000;
 * REPORT_BENCH_EVENTS to change) and N/20 closed cases, counted the way the
 * stores count them (daily counters per field, see src/store/report-counting.ts)
 * and written in bulk, then the full report (every table, wait percentiles)
 * timed on SQLite and, when MONGODB_URI is set, on the MongoDB-wire server.
 * A sample of 1,050 events also goes through `recordEvent` one by one, to
 * show what counting costs per message.
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { MongoClient } from 'mongodb';
import { REGIONS, type ReportEvent } from '../src/core/report-types.js';
import { createMongoStore } from '../src/store/mongo/mongo-store.js';
import { countedKeys, dayOf } from '../src/store/report-counting.js';
import { createSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { Store } from '../src/store/store.js';

const N = Number(process.env.REPORT_BENCH_EVENTS ?? 1_000_000);
const year = Date.UTC(2026, 0, 1);
const pick = <T>(xs: readonly T[], i: number) => xs[i % xs.length] as T;
const topics = [
  'hotline-111',
  'fake-job-offers',
  'verify-recruitment-agency',
  'in-danger-now',
  'debt-bondage',
  'scam-compounds',
];
function* events(n: number): Generator<ReportEvent> {
  for (let i = 0; i < n; i++) {
    yield {
      at: new Date(year + (i % 365) * 86_400_000),
      channel: pick(['web', 'zalo', 'messenger'], i),
      kind: 'turn',
      intent: i % 9 ? 'answer' : 'fallback',
      topic: pick(topics, i),
      urgency: 'none',
      locale: i % 4 ? 'vi' : 'en',
    };
  }
  for (let i = 0; i < n / 20; i++) {
    yield {
      at: new Date(year + (i % 365) * 86_400_000),
      channel: 'web',
      kind: 'ticket',
      outcome: pick(['information', 'counselling', 'referral'], i),
      detail: 'none',
      region: pick(REGIONS, i),
      waitSeconds: i % 600,
    };
  }
}

// What the stores would hold after counting N events.
const counts = new Map<
  string,
  { day: string; kind: string; channel: string; field: string; key: string; count: number }
>();
const waits: { at: Date; channel: string; kind: string; waitSeconds: number }[] = [];
let total = 0;
for (const e of events(N)) {
  total++;
  for (const [field, key] of countedKeys(e)) {
    const id = `${dayOf(e.at)}|${e.kind}|${e.channel}|${field}|${key}`;
    const c = counts.get(id) ?? {
      day: dayOf(e.at),
      kind: e.kind,
      channel: e.channel,
      field,
      key,
      count: 0,
    };
    c.count++;
    counts.set(id, c);
  }
  if (e.waitSeconds !== undefined)
    waits.push({ at: e.at, channel: e.channel, kind: e.kind, waitSeconds: e.waitSeconds });
}
console.log(`events: ${total} (${counts.size} daily counters, ${waits.length} wait times)`);

async function report(store: Store) {
  const q = { from: new Date(year), to: new Date(year + 365 * 86_400_000) };
  const t = performance.now();
  // What the reports page asks for: every table (one query per kind), then the waits.
  await store.countAllEvents({ ...q, kind: 'turn' });
  await store.countAllEvents({ ...q, kind: 'ticket' });
  await store.waitTimes({ ...q, kind: 'ticket' });
  return performance.now() - t;
}

async function perEvent(store: Store) {
  const t = performance.now();
  for (const e of events(1_000)) await store.recordEvent(e);
  return (performance.now() - t) / 1_050;
}

const file = `/tmp/sj-report-bench-${randomBytes(4).toString('hex')}.db`;
const sqlite = createSqliteStore(file);
const raw = new Database(file);
const insertCount = raw.prepare(
  'INSERT INTO report_counts (day, kind, channel, field, key, count) VALUES (@day, @kind, @channel, @field, @key, @count)',
);
const insertWait = raw.prepare(
  'INSERT INTO report_events (at, channel, kind, wait_seconds) VALUES (?, ?, ?, ?)',
);
raw.transaction(() => {
  for (const c of counts.values()) insertCount.run(c);
  for (const w of waits) insertWait.run(w.at.getTime(), w.channel, w.kind, w.waitSeconds);
})();
raw.close();
console.log(`report sqlite: ${(await report(sqlite)).toFixed(0)} ms`);
console.log(`record sqlite: ${(await perEvent(sqlite)).toFixed(3)} ms per event`);
await sqlite.close();
rmSync(file, { force: true });

if (process.env.MONGODB_URI) {
  const url = new URL(process.env.MONGODB_URI);
  url.pathname = `/sj_report_bench_${randomBytes(4).toString('hex')}`;
  const store = await createMongoStore(url.toString());
  const client = await MongoClient.connect(url.toString());
  const docs = [...counts.entries()].map(([_id, c]) => ({ _id, ...c }));
  for (let i = 0; i < docs.length; i += 5000)
    await client
      .db()
      .collection('report_counts')
      .insertMany(docs.slice(i, i + 5000) as never[]);
  for (let i = 0; i < waits.length; i += 5000)
    await client
      .db()
      .collection('report_waits')
      .insertMany(waits.slice(i, i + 5000));
  console.log(`report mongodb-wire: ${(await report(store)).toFixed(0)} ms`);
  console.log(`record mongodb-wire: ${(await perEvent(store)).toFixed(3)} ms per event`);
  await store.close();
  await client.db().dropDatabase();
  await client.close();
} else {
  console.log(
    'report mongodb-wire: skipped (set MONGODB_URI, for example: source scripts/test-services.sh)',
  );
}
