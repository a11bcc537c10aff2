import MiniSearch from 'minisearch';
import { isVietnameseSyllable, type TeencodeDictionary } from '../core/text/normalize.js';
import type { Article } from './article-schema.js';
import { isPair, searchTerms } from './terms.js';

/** One topic the index found, in any language it is written in. */
export interface TopicHit {
  topicId: string;
  score: number;
  /** Share of the query's distinct terms found in this topic (0..1). */
  coverage: number;
  /**
   * Syllable pairs of the query found in this topic, and words that cannot be
   * Vietnamese syllables: the strongest sign it is on topic.
   */
  pairs: number;
  /** Distinct content words in the query (after stopwords), for judging short queries. */
  queryWords: number;
  /** Distinct index terms of the query (words, pairs, accented forms). */
  queryTerms: number;
}

export interface KnowledgeIndex {
  /** Topics best first; the score of a topic is its best article in any language. */
  search(text: string, limit?: number): TopicHit[];
  /** The query terms as the index sees them (for diagnostics and tests). */
  terms(text: string): string[];
}

interface Doc {
  id: string;
  topicId: string;
  title: string;
  questions: string;
  keywords: string;
  short: string;
  body: string;
}

/**
 * Field weights and BM25+ parameters. Exported so that a tuning experiment can
 * pass others; the ones here were checked on the dev set and on
 * test/fixtures/eval/paraphrase.jsonl (moving any of them gained nothing on both).
 */
export const SEARCH_TUNING = {
  boost: { title: 2, questions: 3, keywords: 2.5, short: 1, body: 0.3 },
  bm25: { k: 1.2, b: 0.7, d: 0.5 },
};

/**
 * A word that cannot be a folded Vietnamese syllable ("passport", "scam",
 * "cambodia") does not collide the way "ban" (bạn / bán) does, so finding it
 * counts as much as finding a syllable pair. Without this, a message mixing
 * English and Vietnamese ("bị scam sang Cambodia") has no pair in either
 * language's article and got no answer.
 */
const isForeignWord = (term: string) =>
  !isPair(term) && !term.startsWith('~') && term.length >= 4 && !isVietnameseSyllable(term);

/**
 * MiniSearch (MIT, no dependencies, BM25+, JSON-serialisable) over every
 * article in every language. We tokenize ourselves (see terms.ts) and hand it
 * finished terms, because its default tokenizer neither folds Vietnamese nor
 * knows syllable pairs. Searching all languages at once lets an English
 * question find a topic and get the answer in the conversation's language.
 */
export function buildKnowledgeIndex(
  articles: Article[],
  dict: TeencodeDictionary,
  tuning = SEARCH_TUNING,
): KnowledgeIndex {
  const tokenize = (text: string) => searchTerms(text, dict);
  // Every term the articles hold, gathered while indexing: a query word missing here is a
  // spelling slip (or unknown), known before searching, so a message searches only once,
  // exactly or with fuzzy matching.
  const vocabulary = new Set<string>();
  const index = new MiniSearch<Doc>({
    fields: ['title', 'questions', 'keywords', 'short', 'body'],
    storeFields: ['topicId'],
    tokenize: (text) => {
      const terms = tokenize(text);
      for (const t of terms) vocabulary.add(t);
      return terms;
    },
    processTerm: (term) => term,
  });
  index.addAll(
    articles.map((a) => ({
      id: `${a.locale}/${a.id}`,
      topicId: a.id,
      title: a.title,
      questions: a.questions.join('\n'),
      keywords: a.keywords.join('\n'),
      short: a.short,
      body: a.body,
    })),
  );

  const typo = (term: string) => !isPair(term) && !term.startsWith('~') && term.length >= 6;
  const options = {
    tokenize: (q: string) => q.split(' '),
    processTerm: (t: string) => t,
    boost: tuning.boost,
    bm25: tuning.bm25,
    weights: { fuzzy: 0.4, prefix: 0 },
  };
  // A term's BM25 weight in each article depends on the articles alone, so MiniSearch
  // scores a term once, the first time a query holds it, and an exact query then only adds
  // weights up: the same figures as its OR query (summed in the same order, times the number
  // of terms matched), without its per-query maps, which were most of a retrieval (1 ms for
  // 48 terms). Filled on demand, so start-up does not pay for 24,000 terms.
  const postings = new Map<string, { id: string; topicId: string; weight: number }[]>();
  function postingsOf(term: string) {
    let list = postings.get(term);
    if (!list) {
      list = vocabulary.has(term)
        ? index.search(term, options).map((r) => ({
            id: r.id as string,
            topicId: r.topicId as string,
            weight: r.score,
          }))
        : [];
      if (list.length > 0) postings.set(term, list);
    }
    return list;
  }

  function exactResults(queryTerms: string[]) {
    const found = new Map<string, { topicId: string; sum: number; queryTerms: string[] }>();
    for (const term of queryTerms) {
      for (const p of postingsOf(term)) {
        const doc = found.get(p.id);
        if (doc) {
          doc.sum += p.weight;
          doc.queryTerms.push(term);
        } else found.set(p.id, { topicId: p.topicId, sum: p.weight, queryTerms: [term] });
      }
    }
    return [...found.values()]
      .map((d) => ({ ...d, score: d.sum * d.queryTerms.length }))
      .sort((a, b) => b.score - a.score);
  }

  function search(text: string, limit = 5): TopicHit[] {
    const queryTerms = [...new Set(tokenize(text))];
    if (queryTerms.length === 0) return [];
    // Spelling slips, in whole words of six letters or more only (syllable pairs and accented
    // forms must match exactly), and only when such a word is in no article: fuzzy matching
    // needs MiniSearch's own search, and most messages need none of it.
    const slips = queryTerms.some((t) => typo(t) && !vocabulary.has(t));
    const results = slips
      ? index.search(queryTerms.join(' '), {
          ...options,
          fuzzy: (t: string) => (typo(t) ? 0.2 : false),
        })
      : exactResults(queryTerms);
    const unigrams = queryTerms.filter((t) => !isPair(t));
    const best = new Map<string, TopicHit>();
    for (const r of results) {
      const topicId = r.topicId as string;
      if ((best.get(topicId)?.score ?? 0) >= r.score) continue;
      const matched = unigrams.filter((t) => r.queryTerms.includes(t)).length;
      best.set(topicId, {
        topicId,
        score: r.score,
        coverage: unigrams.length === 0 ? 0 : matched / unigrams.length,
        pairs: r.queryTerms.filter((t) => isPair(t) || isForeignWord(t)).length,
        queryWords: unigrams.filter((t) => !t.startsWith('~')).length,
        queryTerms: queryTerms.length,
      });
    }
    return [...best.values()].sort((a, b) => b.score - a.score).slice(0, limit);
  }

  return { search, terms: tokenize };
}
