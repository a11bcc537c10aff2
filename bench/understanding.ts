/**
 * npm run bench:understanding — what the learned model costs: loading it
 * (start-up), resident memory it adds, and the time it adds to one message —
 * deciding whether to read it, and reading it (target p99 ≤ 0.3 ms). Messages: every sample question of every article, as
 * written and without diacritics (the same set as bench/triage.ts).
 */
import { performance } from 'node:perf_hooks';
import { fold } from '../src/core/text/normalize.js';
import { loadKnowledgeBase } from '../src/knowledge/knowledge-base.js';
import { createUnderstanding, loadModel } from '../src/knowledge/understand/understanding.js';
import { loadContent } from '../src/load-content.js';

const dir = process.env.CONTENT_DIR ?? 'content';
// Start-up: all content with the model, as the service loads it, then without it.
let started = performance.now();
loadContent(dir, 'vi');
const withModelMs = performance.now() - started;
started = performance.now();
const knowledge = loadKnowledgeBase(dir, 'vi', { withModel: false });
const withoutMs = performance.now() - started;
const gc = (globalThis as { gc?: () => void }).gc;
gc?.();
const before = process.memoryUsage();
const loadStarted = performance.now();
const model = loadModel(dir);
if (!model) throw new Error(`${dir}/model/: no model (npm run train)`);
const understanding = createUnderstanding(model, knowledge.dict);
const loadMs = performance.now() - loadStarted;
gc?.();
const after = process.memoryUsage();
const messages = knowledge
  .topicIds()
  .flatMap((id) => ['vi', 'en'].flatMap((l) => knowledge.article(id, l)?.questions ?? []))
  .flatMap((q) => [q, fold(q)]);
for (const m of messages.slice(0, 200)) understanding.read(m);
const times: number[] = [];
for (let round = 0; round < 5; round++) {
  for (const m of messages) {
    const t = performance.now();
    understanding.readIfAble(m);
    times.push(performance.now() - t);
  }
}
times.sort((a, b) => a - b);
const pct = (p: number) =>
  times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))] as number;
const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
console.log(
  `understanding: content loads in ${withModelMs.toFixed(0)} ms with the model, the knowledge base alone in ${withoutMs.toFixed(0)} ms`,
);
console.log(
  `understanding: model loaded in ${loadMs.toFixed(0)} ms; memory +${mb(after.rss - before.rss)} MB resident, +${mb(after.arrayBuffers - before.arrayBuffers)} MB array buffers${gc ? '' : ' (run with --expose-gc for steadier figures)'}`,
);
console.log(
  `understanding: ${times.length} messages, p50 ${pct(50).toFixed(3)} ms, p99 ${pct(99).toFixed(3)} ms, max ${(times.at(-1) as number).toFixed(3)} ms (target p99 ≤ 0.3 ms)`,
);
