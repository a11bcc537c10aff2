import type { Locale } from '../../core/types.js';
import type { Contact } from '../contacts.js';
import { phoneKey } from '../contacts.js';
import type { KnowledgeBase } from '../knowledge-base.js';
import {
  findWithQueries,
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

/** The topic to answer with its curated reply, and a composed text that passed every guard. */
export interface ModelAnswer {
  topicId: string;
  text?: string;
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

  async function assist(turn: ModelTurn, earlier: string[], signal: AbortSignal) {
    const messages = assistPrompt(scrub(turn.text), earlier, titles);
    const output = await call('assist', askQueries, messages, turn, signal);
    if (!output) return undefined;
    const found = findWithQueries(kb, queriesFrom(output));
    report('assist', found ? 'ok' : 'declined');
    return found;
  }

  async function compose(
    turn: ModelTurn,
    topicId: string,
    candidates: string[],
    earlier: string[],
    signal: AbortSignal,
  ): Promise<string | undefined> {
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
    if (output.answer.trim() === '') return report('compose', 'declined');
    const refused = checkComposed({
      answer: output.answer,
      topicIds: output.topicIds,
      passages,
      contactFacts: allowedFacts,
      maxChars: MAX_ANSWER_CHARS,
      locale: turn.locale,
      detect: kb.detect,
    });
    if (refused) return report('compose', 'rejected', undefined, refused);
    report('compose', 'ok');
    return output.answer.trim();
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
        // Assist helps only an unsure retriever; a sure answer is left alone unless composing.
        if (sure && settings.mode !== 'compose') return undefined;
        const earlier = await earlierOf(turn);
        const found = sure
          ? { topicId: sure, candidates: turn.candidates }
          : await assist(turn, earlier, signal);
        if (!found || settings.mode !== 'compose') return found && { topicId: found.topicId };
        const text = await compose(turn, found.topicId, found.candidates, earlier, signal);
        if (text) return { topicId: found.topicId, text };
        return sure ? undefined : { topicId: found.topicId };
      } catch {
        // Our own code failed (not the model): the curated reply stands.
        return undefined;
      }
    },
  };
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
