/**
 * How the learned reading joins the phrase rules, safety first, in one place
 * that the engine and the threshold search (train.ts) both use: a request is
 * refused when either says harmful (unless the rules know it as protective),
 * and the model's topics are fused with the search's ranking. Urgency (the
 * higher of the two) is joined in src/engine/triage-model.ts, next to triage.
 */
import type { Retrieval } from '../retrieve.js';
import type { Reading, Thresholds } from './understanding.js';

/**
 * Refused when the rules say it asks how to harm, or the model does and the
 * rules do not read it as protective (a teacher, a parent, "how do people get
 * tricked", "how to recognise a fake contract").
 */
export const isRefused = (
  rules: { harmful: boolean; protective: boolean },
  reading: Reading | undefined,
) => rules.harmful || (reading?.harmful === true && !rules.protective);

/**
 * The search's answer with the model's topics: each candidate scores its
 * model probability plus `searchWeight` times its search score relative to
 * the best. When the search found nothing on topic, the model's best topic
 * answers alone only when it is sure (`topicAlone`).
 */
export function fuseTopics(
  found: Retrieval,
  reading: Reading | undefined,
  t: Thresholds | undefined,
): Retrieval {
  if (!reading || !t) return found;
  const best = found.hits[0]?.score ?? 0;
  const score = new Map<string, number>();
  for (const h of found.hits)
    score.set(h.topicId, best > 0 ? (t.searchWeight * h.score) / best : 0);
  for (const { topicId, p } of reading.topics) score.set(topicId, (score.get(topicId) ?? 0) + p);
  const ranked = [...score.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([topicId]) => topicId);
  const byId = new Map(found.hits.map((h) => [h.topicId, h]));
  // The hits in fused order; a topic only the model found has no search figures.
  const hits = ranked.map(
    (topicId) =>
      byId.get(topicId) ?? {
        topicId,
        score: 0,
        coverage: 0,
        pairs: 0,
        queryWords: 0,
        queryTerms: 0,
      },
  );
  const top = ranked[0] as string;
  if (found.kind === 'none') {
    const sure = (reading.topics[0]?.p ?? 0) >= t.topicAlone && !reading.outOfScope;
    return sure ? { kind: 'answer', topicId: top, hits } : { kind: 'none', hits: found.hits };
  }
  if (
    found.kind === 'clarify' &&
    found.topicIds.includes(top) &&
    found.topicIds.includes(ranked[1] as string)
  ) {
    return { ...found, hits };
  }
  return { kind: 'answer', topicId: top, hits };
}
