import { z } from 'zod';
import type { Locale } from '../../core/types.js';
import type { KnowledgeBase } from '../knowledge-base.js';
import { judgementSchema } from './assist.js';
import type { Passage } from './guards.js';

/** What the model returns in compose: the answer, the passages it used, and its judgement. */
export const answerSchema = z.object({
  answer: z.string(),
  topicIds: z.array(z.string()),
  ...judgementSchema.shape,
});
export type AnswerOutput = z.infer<typeof answerSchema>;

/**
 * The longest composed answer: the limit of an article's curated short text,
 * which every channel shows in one message.
 */
export const MAX_ANSWER_CHARS = 600;
/** Enough for 600 characters of Vietnamese inside the JSON, with room to spare. */
export const ANSWER_MAX_TOKENS = 600;
/** The chosen article's body is cut here: enough for the facts, bounded in cost. */
const BODY_CHARS = 3000;
/** Other retrieved topics go as title and short text only. */
const OTHER_PASSAGES = 2;

/**
 * The curated passages a composed answer may use: the chosen topic in full
 * (title, short text, body) and the next retrieved topics in brief, each in
 * the person's language when it exists.
 */
export function composePassages(
  kb: Pick<KnowledgeBase, 'article'>,
  topicId: string,
  candidates: string[],
  locale: Locale,
): Passage[] {
  const passages: Passage[] = [];
  const chosen = kb.article(topicId, locale);
  if (!chosen) return passages;
  passages.push({
    topicId,
    text: `${chosen.title}\n${chosen.short.trim()}\n\n${chosen.body.slice(0, BODY_CHARS).trim()}`,
  });
  for (const id of candidates.filter((c) => c !== topicId).slice(0, OTHER_PASSAGES)) {
    const a = kb.article(id, locale);
    if (a) passages.push({ topicId: id, text: `${a.title}\n${a.short.trim()}` });
  }
  return passages;
}
