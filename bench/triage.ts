/**
 * npm run bench:triage — how long triage adds to one message (target p99 < 1 ms).
 * Messages: every sample question of every article, as written and without diacritics.
 */
import { performance } from 'node:perf_hooks';
import { fold } from '../src/core/text/normalize.js';
import { loadContent } from '../src/load-content.js';

const { knowledge, triage } = loadContent(process.env.CONTENT_DIR ?? 'content', 'vi');
const messages = knowledge
  .topicIds()
  .flatMap((id) => ['vi', 'en'].flatMap((l) => knowledge.article(id, l)?.questions ?? []))
  .flatMap((q) => [q, fold(q)]);
for (const m of messages.slice(0, 200)) triage.screen(m);
const times: number[] = [];
for (let round = 0; round < 5; round++) {
  for (const m of messages) {
    const t = performance.now();
    triage.screen(m);
    times.push(performance.now() - t);
  }
}
times.sort((a, b) => a - b);
const pct = (p: number) =>
  times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))] as number;
console.log(
  `triage: ${times.length} messages, p50 ${pct(50).toFixed(3)} ms, p99 ${pct(99).toFixed(3)} ms, max ${(times.at(-1) as number).toFixed(3)} ms (target p99 < 1 ms)`,
);
