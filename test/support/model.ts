import { afterAll, afterEach, beforeAll } from 'vitest';
import type { TurnResult } from '../../src/core/types.js';
import type { LlmOutcome, LlmProblem, LlmSettings } from '../../src/knowledge/llm/settings.js';
import { assembleEngine, type Content, createModel } from '../../src/load-content.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { type OpenAiFake, startOpenAiFake } from '../fakes/openai-fake.js';
import { content, conversation } from './conversation.js';

/** A question the curated content answers for sure (topic `hotline-111`), with no triage signal. */
export const HOTLINE_QUESTION = 'tổng đài 111 là gì vậy';
/** A composed answer to it that every guard lets through. */
export const GROUNDED =
  '111 là tổng đài quốc gia về phòng, chống mua bán người. Bạn gọi miễn phí, lúc nào cũng có người nghe máy. Nếu đang gặp nguy hiểm, hãy gọi 113.';

/** The judgement every scripted answer carries: nothing raised, nothing refused. */
export const CALM = { danger: 'none', harmful: false } as const;

/** One conversation with the model on, and what the model's meter and problem hook saw. */
export interface ModelRun {
  say(text: string): Promise<TurnResult>;
  problems: LlmProblem[];
  /** `step:outcome` of every call, in order. */
  outcomes: string[];
  tokens: number;
}

/** The settings of a model pointed at the fake (compose, generous budget, 3 s). */
export function fakeSettings(fake: OpenAiFake, settings: Partial<LlmSettings> = {}): LlmSettings {
  return {
    mode: 'compose',
    apiKey: fake.apiKey,
    baseUrl: fake.baseUrl,
    model: 'gpt-4o-mini',
    timeoutMs: 3000,
    dailyTokenBudget: 1_000_000,
    sendTranscripts: false,
    timeZone: 'Asia/Ho_Chi_Minh',
    ...settings,
  };
}

/** A conversation over the real engine and content with the real model client talking to the fake. */
export async function withModel(
  fake: OpenAiFake,
  settings: Partial<LlmSettings> = {},
  given: Content = content(),
): Promise<ModelRun> {
  const run: ModelRun = {
    say: async () => ({}) as TurnResult,
    problems: [],
    outcomes: [],
    tokens: 0,
  };
  const model = await createModel(fakeSettings(fake, settings), given, {
    meter: {
      tokens: (_step, _kind, n) => {
        run.tokens += n;
      },
      call: (step, outcome: LlmOutcome) => void run.outcomes.push(`${step}:${outcome}`),
    },
    onProblem: (p) => void run.problems.push(p),
  });
  const store = createSqliteStore(':memory:');
  const c = conversation({
    store,
    assembled: assembleEngine({ store, content: given, model }),
  });
  run.say = (text) => c.say(text);
  return run;
}

/** The same turn with the model off: what the person would read without it. */
export const curated = (text: string, given?: Content) =>
  conversation(
    given
      ? { assembled: assembleEngine({ store: createSqliteStore(':memory:'), content: given }) }
      : {},
  ).say(text);

/**
 * The content without the learned understanding model (as content without `model/` runs):
 * for the language model's steps on their own, where the learned model would already have
 * answered the paraphrase they are tested on.
 */
export function withoutLearnedModel(c: Content = content()): Content {
  const { understanding: _, ...knowledge } = c.knowledge;
  return { ...c, knowledge };
}

/**
 * One OpenAI-compatible fake for a test file: started before, closed after,
 * its record and fallback answer reset after each test.
 */
export function useOpenAiFake() {
  const ai = {
    fake: undefined as unknown as OpenAiFake,
    withModel: (settings: Partial<LlmSettings> = {}, given?: Content) =>
      withModel(ai.fake, settings, given),
  };
  beforeAll(async () => {
    ai.fake = await startOpenAiFake();
  });
  afterAll(() => ai.fake.close());
  afterEach(() => {
    ai.fake.requests.length = 0;
    ai.fake.fallback = { status: 500, content: 'no scripted answer' };
  });
  return ai;
}
