import type { Inbound, Locale, Reply } from '../core/types.js';
import type { TriageResult } from '../handoff/triage.js';
import type { KnowledgeBase } from '../knowledge/knowledge-base.js';
import type { LanguageModel } from '../knowledge/llm/language-model.js';
import type { Store } from '../store/store.js';
import { answerReply } from './replies.js';
import type { Decision } from './route.js';

export interface ModelStepInput {
  inbound: Inbound;
  /** The turn belongs to a guided check. */
  inFlow: boolean;
  screened: TriageResult;
  conversationId: string;
  /** The typed text (NFC). */
  text: string;
  locale: Locale;
  store: Pick<Store, 'listMessages'>;
}

/**
 * The optional language model's one place in a turn. It acts only on a typed
 * message (not a button), outside a guided check, that triage left at `none`,
 * and that the knowledge base answered, clarified or missed: commands,
 * refusals, requests for a person, greetings, checks, urgent and emergency
 * turns are returned at once, untouched, without waiting for anything.
 *
 * What it may change: the topic (assist found a curated answer the retriever
 * missed) and the answer's text (compose, after the guards). The reply keeps
 * the curated title, sources, "read more" and choices.
 */
export async function applyModel(
  model: LanguageModel | undefined,
  kb: KnowledgeBase,
  decision: Decision,
  input: ModelStepInput,
): Promise<Decision> {
  if (!model || !eligible(decision, input)) return decision;
  const { conversationId, text, locale, store } = input;
  const better = await model.improve({
    conversationId,
    text,
    locale,
    retrieval: decision.retrieval ?? 'none',
    ...(decision.retrieval === 'answer' && decision.topics[0]
      ? { topicId: decision.topics[0] }
      : {}),
    candidates: decision.topics,
    earlier: async () => {
      // Replies sit between the person's messages; the current one is stored already, last.
      const recent = await store.listMessages(conversationId, 20);
      return recent
        .filter((m) => m.direction === 'in')
        .map((m) => m.text)
        .slice(0, -1);
    },
  });
  if (!better || !kb.article(better.topicId, locale)) return decision;
  const curated = answerReply(kb, better.topicId, locale);
  const reply: Reply = better.text ? { ...curated, text: better.text, composed: true } : curated;
  return {
    ...decision,
    intent: 'answer',
    topics: [better.topicId, ...decision.topics.filter((t) => t !== better.topicId)],
    replies: [reply],
    context: { ...decision.context, lastTopic: better.topicId },
    retrieval: 'answer',
  };
}

function eligible(decision: Decision, input: ModelStepInput): boolean {
  return (
    !input.inbound.choice &&
    !input.inFlow &&
    input.screened.level === 'none' &&
    !decision.openTicket &&
    !decision.raiseTo &&
    decision.retrieval !== undefined &&
    (decision.intent === 'answer' || decision.intent === 'fallback')
  );
}
