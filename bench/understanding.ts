/**
 * npm run bench:understanding — what the learned model costs: loading it
 * (start-up), resident memory it adds, and the time it adds to one message —
 * deciding whether to read it, and reading it (target p99 ≤ 0.3 ms). Messages: every sample question of every article, as
 * written and without diacritics (the same set as bench/triage.ts).
 */
import { performance } from 'node:perf_hooks';
import { loadKnowledgeBase } from '../src/knowledge/knowledge-base.js';
import { createUnderstanding, loadModel } from '../src/knowledge/understand/understanding.js';
import { loadContent } from '../src/load-content.js';
import { sampleMessages, timeEach } from './sample.js';

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
const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
console.log(
  `understanding: content loads in ${withModelMs.toFixed(0)} ms with the model, the knowledge base alone in ${withoutMs.toFixed(0)} ms`,
);
console.log(
  `understanding: model loaded in ${loadMs.toFixed(0)} ms; memory +${mb(after.rss - before.rss)} MB resident, +${mb(after.arrayBuffers - before.arrayBuffers)} MB array buffers${gc ? '' : ' (run with --expose-gc for steadier figures)'}`,
);
console.log(
  `understanding: ${timeEach(sampleMessages(knowledge), (m) => understanding.readIfAble(m))} (target p99 ≤ 0.3 ms)`,
);
