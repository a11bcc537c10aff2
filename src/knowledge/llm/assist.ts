import { z } from 'zod';
import type { KnowledgeBase } from '../knowledge-base.js';

/**
 * The model's judgement of a message, asked with every call: it may raise a turn
 * that triage left calm, or refuse it, and never lower either (src/engine/model-step.ts).
 * Both fields are required: OpenAI's strict JSON schemas allow no optional ones.
 */
export const judgementSchema = z.object({
  danger: z.enum(['none', 'urgent', 'emergency']),
  harmful: z.boolean(),
});
export type Judgement = z.infer<typeof judgementSchema>;

/** What the model returns in assist: search queries in both languages, and its judgement. */
export const querySchema = z.object({
  vi: z.array(z.string()),
  en: z.array(z.string()),
  ...judgementSchema.shape,
});
export type QueryOutput = z.infer<typeof querySchema>;

/** Enough for four short queries and the judgement in JSON. */
export const QUERY_MAX_TOKENS = 220;
const MAX_QUERIES = 4;
const MAX_QUERY_CHARS = 200;

/** Up to four usable queries, alternating languages, so both get a chance. */
export function queriesFrom(output: QueryOutput): string[] {
  const queries: string[] = [];
  for (let i = 0; i < Math.max(output.vi.length, output.en.length); i++) {
    for (const q of [output.vi[i], output.en[i]]) {
      const trimmed = q?.trim().slice(0, MAX_QUERY_CHARS);
      if (trimmed && !queries.includes(trimmed)) queries.push(trimmed);
    }
  }
  return queries.slice(0, MAX_QUERIES);
}

/**
 * Tries each query with the ordinary retriever and its ordinary thresholds:
 * the model only rephrases, the retriever still decides. The topic that the
 * most queries answer wins (the earliest on a tie); undefined when none is
 * sure enough.
 */
export function findWithQueries(
  kb: Pick<KnowledgeBase, 'retrieve'>,
  queries: string[],
): { topicId: string; candidates: string[] } | undefined {
  const votes = new Map<string, number>();
  const candidates: string[] = [];
  for (const q of queries) {
    const found = kb.retrieve(q);
    if (found.kind === 'answer') votes.set(found.topicId, (votes.get(found.topicId) ?? 0) + 1);
    for (const hit of found.hits)
      if (!candidates.includes(hit.topicId)) candidates.push(hit.topicId);
  }
  let best: string | undefined;
  for (const [topicId, count] of votes) if (!best || count > (votes.get(best) ?? 0)) best = topicId;
  return best
    ? { topicId: best, candidates: [best, ...candidates.filter((c) => c !== best)] }
    : undefined;
}

/** Topic titles in Vietnamese and English: the vocabulary the queries should use. */
export function topicTitles(kb: Pick<KnowledgeBase, 'topicIds' | 'article'>): string[] {
  return kb.topicIds().map((id) => {
    const titles = [kb.article(id, 'vi')?.title, kb.article(id, 'en')?.title];
    return [...new Set(titles.filter((t): t is string => Boolean(t)))].join(' / ');
  });
}
