/**
 * npm run bench:engine — the dialogue engine alone (assembleEngine over SQLite
 * in a temporary folder, WAL, messages encrypted, as the service runs it; no sockets, no HTTP) on
 * the development set's messages (../shared/eval/dev.jsonl, or EVAL_FILE; only
 * each line's `text` is used, and nothing of it is printed). Every message opens
 * a new conversation, as `npm run eval` does; one warm-up pass is not counted,
 * then ROUNDS passes (10) one turn after another. Prints turns per second and
 * p50/p99 per turn.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { assembleEngine, loadContent } from '../src/load-content.js';
import { messageCipher } from '../src/store/message-key.js';
import { createSqliteStore } from '../src/store/sqlite/sqlite-store.js';

const ROUNDS = Number(process.env.ROUNDS ?? 10);
const file =
  process.env.EVAL_FILE ?? fileURLToPath(new URL('../../shared/eval/dev.jsonl', import.meta.url));

function texts(): string[] {
  const out: string[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const row = JSON.parse(line) as { text?: unknown };
    if (typeof row.text === 'string') out.push(row.text);
  }
  return out;
}

async function main() {
  const messages = texts();
  if (messages.length === 0) throw new Error(`no messages with a "text" in ${file}`);
  const dir = mkdtempSync(join(tmpdir(), 'sj-bench-engine-'));
  // Messages encrypted at rest with a key file, as `npm start` does on SQLite.
  const cipher = messageCipher({ keyFile: join(dir, 'message.key'), required: false });
  const store = createSqliteStore(join(dir, 'bench.db'), { cipher });
  const { engine } = assembleEngine({ store, content: loadContent('content', 'vi') });
  const times: number[] = [];
  let errors = 0;
  try {
    for (let round = -1; round < ROUNDS; round++) {
      for (let i = 0; i < messages.length; i++) {
        const started = performance.now();
        try {
          await engine.handle({
            channel: 'bench',
            userId: `r${round}-u${i}`,
            messageId: `r${round}-m${i}`,
            text: messages[i] as string,
            receivedAt: new Date(),
          });
        } catch {
          errors++;
        }
        if (round >= 0) times.push(performance.now() - started);
      }
    }
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const total = times.reduce((a, b) => a + b, 0);
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(times.length * q))] ?? 0;
  console.log(
    `engine alone: ${messages.length} development-set messages × ${ROUNDS} rounds (after one warm-up round), ` +
      'each a new conversation, SQLite file (WAL, encrypted messages), one turn at a time',
  );
  console.log(`engine_turns: ${times.length} turns`);
  console.log(`engine_turn_errors: ${errors} turns`);
  console.log(`engine_turns_per_second: ${((times.length / total) * 1000).toFixed(0)} turns/s`);
  console.log(`engine_turn_mean: ${(total / times.length).toFixed(2)} ms`);
  console.log(`engine_turn_p50: ${at(0.5).toFixed(2)} ms`);
  console.log(`engine_turn_p99: ${at(0.99).toFixed(2)} ms`);
}

await main();
