import { performance } from 'node:perf_hooks';
import { fold } from '../src/core/text/normalize.js';
import type { KnowledgeBase } from '../src/knowledge/knowledge-base.js';

/** Every sample question of every article, as written and without diacritics. */
export function sampleMessages(knowledge: KnowledgeBase): string[] {
  return knowledge
    .topicIds()
    .flatMap((id) => ['vi', 'en'].flatMap((l) => knowledge.article(id, l)?.questions ?? []))
    .flatMap((q) => [q, fold(q)]);
}

/** Times `run` on each message, 5 rounds after a warm-up; p50, p99 and max in ms. */
export function timeEach(messages: string[], run: (m: string) => unknown) {
  for (const m of messages.slice(0, 200)) run(m);
  const times: number[] = [];
  for (let round = 0; round < 5; round++) {
    for (const m of messages) {
      const t = performance.now();
      run(m);
      times.push(performance.now() - t);
    }
  }
  times.sort((a, b) => a - b);
  const pct = (p: number) =>
    (times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))] as number).toFixed(3);
  return `${times.length} messages, p50 ${pct(50)} ms, p99 ${pct(99)} ms, max ${(times.at(-1) as number).toFixed(3)} ms`;
}
