import type { KnowledgeIndex, TopicHit } from './search-index.js';

/** What the knowledge base can say about one message. */
export type Retrieval =
  | { kind: 'answer'; topicId: string; hits: TopicHit[] }
  | { kind: 'clarify'; topicIds: [string, string]; hits: TopicHit[] }
  | { kind: 'none'; hits: TopicHit[] };

/**
 * Tuned on our own paraphrases, not on the evaluation set. A topic must match
 * a fair share of what was asked (coverage) and score clearly; when the second
 * topic is nearly as good, we ask rather than guess.
 */
export const RETRIEVAL_THRESHOLDS = {
  minScore: 6,
  minCoverage: 0.25,
  clarifyRatio: 0.92,
};

export function retrieve(
  index: KnowledgeIndex,
  text: string,
  thresholds = RETRIEVAL_THRESHOLDS,
): Retrieval {
  const hits = index.search(text, 5);
  const [best, second] = hits;
  if (!best || best.score < thresholds.minScore || best.coverage < thresholds.minCoverage) {
    return { kind: 'none', hits };
  }
  if (second && second.score >= best.score * thresholds.clarifyRatio) {
    return { kind: 'clarify', topicIds: [best.topicId, second.topicId], hits };
  }
  return { kind: 'answer', topicId: best.topicId, hits };
}
