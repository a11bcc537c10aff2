import type { Inbound, Locale, Reply } from '../core/types.js';
import type { TriageResult, TriageSignal } from '../handoff/triage.js';
import type { KnowledgeBase } from '../knowledge/knowledge-base.js';
import type { LanguageModel } from '../knowledge/llm/language-model.js';
import type { Store } from '../store/store.js';
import { answerReply } from './replies.js';
import type { Decision } from './route.js';
import { applyTriage } from './safety.js';

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
  /** The language the message was written in, for the safety steps (see applyTriage). */
  writtenIn: Locale;
}

/** The turn after the model: its decision, and triage as the model may have raised it. */
export interface Modelled {
  decision: Decision;
  screened: TriageResult;
}

/** The signal a counsellor sees when the language model, not a phrase, raised the chat. */
export function languageModelSignal(level: 'urgent' | 'emergency'): TriageSignal {
  const label =
    level === 'emergency'
      ? 'Mô hình ngôn ngữ: có thể đang gặp nguy hiểm ngay — language model: may be in danger now'
      : 'Mô hình ngôn ngữ: có thể cần tư vấn viên sớm — language model: may need a counsellor soon';
  return { id: 'language-model', level, label, words: '—' };
}

/**
 * The optional language model's one place in a turn. It acts only on a typed
 * message (not a button), outside a guided check, that triage left at `none`,
 * and that the knowledge base answered, clarified or missed: commands,
 * refusals, requests for a person, greetings, checks, urgent and emergency
 * turns are returned at once, untouched, without waiting for anything (an
 * emergency found by the rules or the learned model never waits for it).
 *
 * What it may change: the topic (assist found a curated answer the retriever
 * missed) and the answer's text (compose, after the guards); and, safety first,
 * it may raise the turn (to urgent, or to the emergency reply and the front of
 * the queue) or refuse it as a request for how to harm, but never lower either:
 * it sees only turns that nothing had raised or refused. A question the phrase
 * rules know as protective (a teacher, a parent) is not refused on its word.
 * The reply keeps the curated title, sources, "read more" and choices.
 */
export async function applyModel(
  model: LanguageModel | undefined,
  kb: KnowledgeBase,
  decision: Decision,
  input: ModelStepInput,
): Promise<Modelled> {
  const { conversationId, text, locale, store, screened } = input;
  const unchanged = { decision, screened };
  if (!model || !eligible(decision, input)) return unchanged;
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
  if (!better) return unchanged;
  if (better.harmful && !kb.intents.isProtective(kb.readable(text))) {
    const refused: Decision = {
      intent: 'refuse',
      topics: [],
      replies: [{ text: kb.messages(locale).refuse }],
    };
    // Refused, and still raised when it also told of danger (applyTriage keeps the refusal).
    return better.danger
      ? raised(kb, refused, screened, better.danger, input)
      : { decision: refused, screened };
  }
  const answered = withTopic(kb, decision, better, locale);
  return better.danger
    ? raised(kb, answered, screened, better.danger, input)
    : { decision: answered, screened };
}

/** The decision with the model's topic and text, when it found a curated answer. */
function withTopic(
  kb: KnowledgeBase,
  decision: Decision,
  better: { topicId?: string; text?: string },
  locale: Locale,
): Decision {
  const { topicId } = better;
  if (!topicId || !kb.article(topicId, locale)) return decision;
  const curated = answerReply(kb, topicId, locale);
  const reply: Reply = better.text ? { ...curated, text: better.text, composed: true } : curated;
  return {
    ...decision,
    intent: 'answer',
    topics: [topicId, ...decision.topics.filter((t) => t !== topicId)],
    replies: [reply],
    context: { ...decision.context, lastTopic: topicId },
    retrieval: 'answer',
  };
}

/** Triage raised to the model's level, and the turn answered as triage answers that level. */
function raised(
  kb: KnowledgeBase,
  decision: Decision,
  screened: TriageResult,
  level: 'urgent' | 'emergency',
  input: ModelStepInput,
): Modelled {
  const up: TriageResult = {
    ...screened,
    level,
    signals: [...screened.signals, languageModelSignal(level)],
  };
  // A refusal that also told of danger is still refused; the person is offered a counsellor.
  const modelUrgency = decision.intent === 'refuse' ? 'none' : undefined;
  return {
    decision: applyTriage(kb, up, decision, input.locale, input.writtenIn, modelUrgency),
    screened: up,
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
