/**
 * npm run bench — prints how long the knowledge index takes to build and how
 * long one retrieval takes (p50, p99), on this machine, with the shipped content.
 * Targets (issue 3): build under 1 s, retrieval under 2 ms at p99.
 */
import { performance } from 'node:perf_hooks';
import { fold } from '../src/core/text/normalize.js';
import { loadArticles } from '../src/knowledge/load-articles.js';
import { loadTeencode } from '../src/knowledge/load-teencode.js';
import { retrieve } from '../src/knowledge/retrieve.js';
import { buildKnowledgeIndex } from '../src/knowledge/search-index.js';

const content = process.env.CONTENT_DIR ?? 'content';
const articles = loadArticles(content);
const dict = loadTeencode(content);

const builds: number[] = [];
let index = buildKnowledgeIndex(articles, dict);
for (let i = 0; i < 10; i++) {
  const t = performance.now();
  index = buildKnowledgeIndex(articles, dict);
  builds.push(performance.now() - t);
}

// Queries: every sample question as written, folded (no diacritics), and cut to its first half.
const queries = articles.flatMap((a) =>
  a.questions.flatMap((q) => [
    q,
    fold(q),
    q
      .split(' ')
      .slice(0, Math.ceil(q.split(' ').length / 2))
      .join(' '),
  ]),
);
for (const q of queries.slice(0, 200)) retrieve(index, q); // warm-up
const times: number[] = [];
for (let round = 0; round < 3; round++) {
  for (const q of queries) {
    const t = performance.now();
    retrieve(index, q);
    times.push(performance.now() - t);
  }
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] as number;
};
console.log(`articles: ${articles.length}, queries timed: ${times.length}`);
console.log(
  `index build: median ${pct(builds, 50).toFixed(1)} ms, max ${Math.max(...builds).toFixed(1)} ms (target < 1000 ms)`,
);
console.log(
  `retrieval: p50 ${pct(times, 50).toFixed(3)} ms, p99 ${pct(times, 99).toFixed(3)} ms, max ${Math.max(...times).toFixed(3)} ms (target p99 < 2 ms)`,
);
