import type { KnowledgeIndex, TopicHit } from './search-index.js';

/** What the knowledge base can say about one message. */
export type Retrieval =
  | { kind: 'answer'; topicId: string; hits: TopicHit[] }
  | { kind: 'clarify'; topicIds: [string, string]; hits: TopicHit[] }
  | { kind: 'none'; hits: TopicHit[] };

/**
 * When is a topic close enough to answer? Single folded syllables collide all
 * the time ("nhất" and "Nhật", "mua" laptop and "mua bán"), so an answer needs
 * at least one syllable pair of the question found in the topic, unless the
 * question is one or two words that all match ("passport", "111"). When the
 * second topic scores nearly as well, we ask rather than guess.
 */
export const RETRIEVAL_THRESHOLDS = {
  minCoverage: 0.25,
  /**
   * BM25 evidence per query term: a long message that matches only in passing is not on topic.
   * 30 rather than 25: weather, driving lessons or homework questions that share one place name
   * or one everyday pair ("hà nội", "đăng ký") with an article scored 27-29; no on-topic message
   * of the dev or paraphrase sets scored under 30 (margin thin: re-check when content changes).
   */
  minScorePerTerm: 30,
  shortQueryWords: 2,
  clarifyRatio: 0.92,
};

export function retrieve(
  index: KnowledgeIndex,
  text: string,
  thresholds = RETRIEVAL_THRESHOLDS,
): Retrieval {
  const hits = index.search(text, 5);
  const [best, second] = hits;
  const onTopic =
    best &&
    best.coverage >= thresholds.minCoverage &&
    best.score / Math.max(1, best.queryTerms) >= thresholds.minScorePerTerm &&
    (best.pairs > 0 || (best.queryWords <= thresholds.shortQueryWords && best.coverage === 1));
  if (!best || !onTopic) return { kind: 'none', hits };
  if (second && second.score >= best.score * thresholds.clarifyRatio) {
    return { kind: 'clarify', topicIds: [best.topicId, second.topicId], hits };
  }
  return { kind: 'answer', topicId: best.topicId, hits };
}
