import type { Locale } from '../../core/types.js';
import type { Contact } from '../contacts.js';
import { phoneKey } from '../contacts.js';
import type { KnowledgeBase } from '../knowledge-base.js';
import {
  findWithQueries,
  type Judgement,
  QUERY_MAX_TOKENS,
  queriesFrom,
  querySchema,
  topicTitles,
} from './assist.js';
import { createTokenBudget, estimateTokens, type TokenBudget } from './budget.js';
import { ANSWER_MAX_TOKENS, answerSchema, composePassages, MAX_ANSWER_CHARS } from './compose.js';
import { contactFacts } from './facts.js';
import { checkComposed } from './guards.js';
import { type ChatMessage, createChatModel, type StructuredCaller } from './model.js';
import { assistPrompt, composePrompt, promptChars } from './prompts.js';
import { scrubPersonalData } from './scrub.js';
import {
  type LlmMeter,
  type LlmProblem,
  type LlmSettings,
  type LlmStep,
  silentMeter,
} from './settings.js';

/** One typed message the engine may improve, after triage found nothing to worry about. */
export interface ModelTurn {
  conversationId: string;
  /** What the person wrote (scrubbed here before anything is sent). */
  text: string;
  locale: Locale;
  /** How sure the retriever was on its own. */
  retrieval: 'answer' | 'clarify' | 'none';
  /** The curated topic chosen, when `retrieval` is `answer`. */
  topicId?: string;
  /** Topics retrieved, best first. */
  candidates: string[];
  /** The person's earlier messages, oldest first; called only when transcripts may be sent. */
  earlier?: () => Promise<string[]>;
}

/**
 * What the model adds to a turn: a topic to answer with its curated reply, a
 * composed text that passed every guard, and its judgement when it saw danger
 * or a request for how to harm (absent when it saw neither).
 */
export interface ModelAnswer {
  topicId?: string;
  text?: string;
  danger?: 'urgent' | 'emergency';
  harmful?: true;
}

export interface LanguageModel {
  mode: 'assist' | 'compose';
  /**
   * Tries to improve one turn within the deadline. Resolves undefined when
   * there is nothing better than the curated reply; never rejects.
   */
  improve(turn: ModelTurn): Promise<ModelAnswer | undefined>;
  budget: TokenBudget;
}

export interface LanguageModelDeps {
  knowledge: KnowledgeBase;
  /** content/contacts.yaml: numbers every answer may give, and public numbers the scrubber keeps. */
  contacts: Contact[];
  meter?: LlmMeter;
  /** Told when a call fails or a composed answer is refused (names and codes only, never text). */
  onProblem?: (problem: LlmProblem) => void;
  now?: () => Date;
}

const EARLIER_MESSAGES = 4;
const EARLIER_CHARS = 500;

/**
 * The optional language model over the knowledge base. Build it only when
 * `settings.mode` is not `off`; the model packages are loaded here.
 */
export async function createLanguageModel(
  settings: LlmSettings & { mode: 'assist' | 'compose' },
  deps: LanguageModelDeps,
): Promise<LanguageModel> {
  const { knowledge: kb, meter = silentMeter, onProblem = () => undefined } = deps;
  const chat = await createChatModel(settings);
  const askQueries = chat.structured({
    name: 'search_queries',
    schema: querySchema,
    maxTokens: QUERY_MAX_TOKENS,
  });
  const askAnswer = chat.structured({
    name: 'grounded_answer',
    schema: answerSchema,
    maxTokens: ANSWER_MAX_TOKENS,
  });
  const budget = createTokenBudget({
    daily: settings.dailyTokenBudget,
    perConversation: settings.perConversationTokenBudget,
    timeZone: settings.timeZone,
    ...(deps.now ? { now: deps.now } : {}),
  });
  const allowedFacts = contactFacts(deps.contacts);
  const keepPhones = new Set(
    deps.contacts.filter((c) => c.kind === 'phone').map((c) => phoneKey(c.value)),
  );
  const titles = topicTitles(kb);
  const scrub = (text: string) => scrubPersonalData(text, { keepPhones });

  /** One call: within budget and deadline, counted, and never throwing. */
  async function call<T>(
    step: LlmStep,
    ask: StructuredCaller<T>,
    messages: ChatMessage[],
    turn: ModelTurn,
    signal: AbortSignal,
  ): Promise<T | undefined> {
    const sent = estimateTokens(promptChars(messages));
    const maxOut = step === 'compose' ? ANSWER_MAX_TOKENS : QUERY_MAX_TOKENS;
    if (!budget.allows(turn.conversationId, sent + maxOut)) return report(step, 'budget');
    try {
      const { parsed, usage } = await untilAborted(ask(messages, signal), signal);
      if (usage) {
        budget.spend(turn.conversationId, usage.input + usage.output);
        meter.tokens(step, 'input', usage.input);
        meter.tokens(step, 'output', usage.output);
      } else {
        spendEstimate(step, turn, sent);
      }
      return parsed ?? report(step, 'refused');
    } catch (error) {
      // The server may have billed the prompt even if we gave up on the answer.
      spendEstimate(step, turn, sent);
      const outcome = signal.aborted ? 'timeout' : isMalformed(error) ? 'malformed' : 'error';
      return report(step, outcome, error);
    }
  }

  function spendEstimate(step: LlmStep, turn: ModelTurn, tokens: number) {
    budget.spend(turn.conversationId, tokens);
    meter.tokens(step, 'estimated', tokens);
  }

  function report(
    step: LlmStep,
    outcome: LlmProblem['outcome'],
    error?: unknown,
    reason?: string,
  ): undefined {
    meter.call(step, outcome);
    // Ordinary outcomes show in the metrics; only failures and refused answers are worth a log line.
    if (outcome === 'ok' || outcome === 'declined' || outcome === 'budget') return undefined;
    const status = (error as { status?: unknown } | undefined)?.status;
    onProblem({
      step,
      outcome,
      ...(error instanceof Error ? { error: error.name } : {}),
      ...(typeof status === 'number' ? { status } : {}),
      ...(reason ? { reason } : {}),
    });
    return undefined;
  }

  /** Queries tried on the retriever (unless the answer is sure already), and the judgement. */
  async function assist(turn: ModelTurn, earlier: string[], signal: AbortSignal, sure: boolean) {
    const messages = assistPrompt(scrub(turn.text), earlier, titles);
    const output = await call('assist', askQueries, messages, turn, signal);
    if (!output) return undefined;
    const found = sure ? undefined : findWithQueries(kb, queriesFrom(output));
    report('assist', found || sure ? 'ok' : 'declined');
    return { found, judged: judgementOf(output) };
  }

  async function compose(
    turn: ModelTurn,
    topicId: string,
    candidates: string[],
    earlier: string[],
    signal: AbortSignal,
  ): Promise<{ text?: string; judged: ModelAnswer } | undefined> {
    const passages = composePassages(kb, topicId, candidates, turn.locale);
    const messages = composePrompt({
      text: scrub(turn.text),
      earlier,
      passages,
      languageName: kb.languageName(turn.locale),
      maxChars: MAX_ANSWER_CHARS,
    });
    const output = await call('compose', askAnswer, messages, turn, signal);
    if (!output) return undefined;
    const judged = judgementOf(output);
    if (output.answer.trim() === '' || judged.harmful) {
      report('compose', 'declined');
      return { judged };
    }
    const refused = checkComposed({
      answer: output.answer,
      topicIds: output.topicIds,
      passages,
      contactFacts: allowedFacts,
      maxChars: MAX_ANSWER_CHARS,
      locale: turn.locale,
      detect: kb.detect,
    });
    if (refused) {
      report('compose', 'rejected', undefined, refused);
      return { judged };
    }
    report('compose', 'ok');
    return { text: output.answer.trim(), judged };
  }

  async function earlierOf(turn: ModelTurn): Promise<string[]> {
    if (!settings.sendTranscripts || !turn.earlier) return [];
    const all = await turn.earlier();
    return all.slice(-EARLIER_MESSAGES).map((t) => scrub(t.slice(0, EARLIER_CHARS)));
  }

  return {
    mode: settings.mode,
    budget,
    async improve(turn) {
      // One deadline for the whole turn: assist and compose together never exceed it.
      const signal = AbortSignal.timeout(settings.timeoutMs);
      try {
        const sure = turn.retrieval === 'answer' ? turn.topicId : undefined;
        const earlier = await earlierOf(turn);
        if (sure && settings.mode === 'compose') {
          // One call writes the answer and judges the message.
          const composed = await compose(turn, sure, turn.candidates, earlier, signal);
          if (!composed) return undefined;
          return worthTelling({
            ...(composed.text ? { topicId: sure, text: composed.text } : {}),
            ...composed.judged,
          });
        }
        // Assist judges every message it is given; its queries help only an unsure retriever.
        const assisted = await assist(turn, earlier, signal, sure !== undefined);
        if (!assisted) return undefined;
        const { found, judged } = assisted;
        if (!found || settings.mode !== 'compose' || judged.harmful)
          return worthTelling({ ...(found ? { topicId: found.topicId } : {}), ...judged });
        const composed = await compose(turn, found.topicId, found.candidates, earlier, signal);
        return worthTelling({
          topicId: found.topicId,
          ...(composed?.text ? { text: composed.text } : {}),
          ...joined(judged, composed?.judged),
        });
      } catch {
        // Our own code failed (not the model): the curated reply stands.
        return undefined;
      }
    },
  };
}

/** The judgement as the engine uses it: only what raises or refuses. */
function judgementOf(output: Judgement): Pick<ModelAnswer, 'danger' | 'harmful'> {
  return {
    ...(output.danger !== 'none' ? { danger: output.danger } : {}),
    ...(output.harmful ? { harmful: true as const } : {}),
  };
}

/** Two judgements of one turn: the higher danger, harmful if either says so. */
function joined(a: ModelAnswer, b: ModelAnswer | undefined): ModelAnswer {
  const danger =
    a.danger === 'emergency' || b?.danger === 'emergency' ? 'emergency' : (a.danger ?? b?.danger);
  return {
    ...(danger ? { danger } : {}),
    ...(a.harmful || b?.harmful ? { harmful: true as const } : {}),
  };
}

/** Undefined when the model adds nothing to the turn. */
function worthTelling(answer: ModelAnswer): ModelAnswer | undefined {
  return Object.keys(answer).length > 0 ? answer : undefined;
}

/** Settles when the call does, or rejects as soon as the deadline passes, whichever is first. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** JSON that does not parse, or does not match the schema. */
function isMalformed(error: unknown): boolean {
  const name = error instanceof Error ? error.name : '';
  return ['SyntaxError', 'ZodError', '$ZodError', 'OutputParserException'].includes(name);
}
