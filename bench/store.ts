/**
 * npm run bench:store — what the store costs in one turn, on SQLite and on the
 * MongoDB-wire server (MONGODB_URI, for example FerretDB from
 * scripts/test-services.sh), in the same run: the same 300 turns (new
 * conversations and follow-ups) through the real engine, per-turn mean and p99.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { MongoClient } from 'mongodb';
import { assembleEngine, loadContent } from '../src/load-content.js';
import { createMongoStore } from '../src/store/mongo/mongo-store.js';
import { createSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { Store } from '../src/store/store.js';

const content = loadContent('content', 'vi');
const questions = [
  'tổng đài 111 là gì',
  'cty giữ hộ chiếu của em',
  'lam sao biet cty xkld co giay phep ko',
  'my boss keeps my passport',
];

async function measure(name: string, store: Store) {
  const { engine } = assembleEngine({ store, content });
  const times: number[] = [];
  for (let i = 0; i < 300; i++) {
    const t = performance.now();
    await engine.handle({
      channel: 'bench',
      userId: `u${i % 100}`,
      messageId: `m${i}`,
      text: questions[i % questions.length] as string,
      receivedAt: new Date(),
    });
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  const p99 = times[Math.floor(times.length * 0.99)] as number;
  console.log(
    `${name.padEnd(22)} turn mean ${mean.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms (300 turns, 100 conversations)`,
  );
  await store.close();
}

await measure(
  'sqlite (file, WAL)',
  createSqliteStore(`/tmp/sj-bench-${randomBytes(4).toString('hex')}.db`),
);
const uri = process.env.MONGODB_URI;
if (uri) {
  const url = new URL(uri);
  url.pathname = `/sj_bench_${randomBytes(4).toString('hex')}`;
  await measure('mongodb-wire server', await createMongoStore(url.toString()));
  const client = await MongoClient.connect(url.toString());
  await client.db().dropDatabase();
  await client.close();
} else {
  console.log('mongodb-wire server   skipped: set MONGODB_URI (source scripts/test-services.sh)');
}
