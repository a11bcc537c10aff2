/**
 * Settings of the optional language model, as read by `src/config.ts`
 * (`LLM_*` variables). With `mode: 'off'` nothing in this folder is built and
 * no request leaves the process.
 */
export type LlmMode = 'off' | 'assist' | 'compose';

export interface LlmSettings {
  /**
   * `off` (default): curated answers only. `assist`: when retrieval is unsure,
   * the model rewrites the message into search queries and the retriever tries
   * again; the curated answer is shown. `compose`: `assist`, and then the model
   * writes a short answer from the retrieved passages, shown only if it passes
   * the guards.
   */
  mode: LlmMode;
  /** Bearer key; self-hosted servers that need none get a placeholder. */
  apiKey: string;
  /** Any OpenAI-compatible server, e.g. `https://api.openai.com/v1`, `http://localhost:11434/v1`. */
  baseUrl: string;
  /** Model name as the server knows it (default `gpt-4o-mini`). */
  model: string;
  /** The most a turn waits for the model, all calls together (default 8000 ms). */
  timeoutMs: number;
  /** Tokens per calendar day (in `timeZone`) for this process; calls stop when spent. */
  dailyTokenBudget: number;
  /** Tokens per conversation; no limit when undefined. */
  perConversationTokenBudget?: number | undefined;
  /**
   * Whether earlier messages of the conversation may be sent (scrubbed) as
   * context. Default false: only the current message, scrubbed, goes.
   */
  sendTranscripts: boolean;
  /** Time zone that decides when a day's budget starts again (default `Asia/Ho_Chi_Minh`). */
  timeZone: string;
}

/** Which step of a turn used the model (a metrics label). */
export type LlmStep = 'assist' | 'compose';

/**
 * How one model call ended (a metrics label): `ok` (used), `rejected` (a
 * composed answer failed a guard), `declined` (empty answer or no query),
 * `refused`, `malformed`, `timeout`, `error`, `budget` (not sent, budget spent).
 */
export type LlmOutcome =
  | 'ok'
  | 'rejected'
  | 'declined'
  | 'refused'
  | 'malformed'
  | 'timeout'
  | 'error'
  | 'budget';

/** Where counts go (Prometheus in the server); never text, never ids. */
export interface LlmMeter {
  /** Tokens used: as reported by the server, or `estimated` when a call failed without a report. */
  tokens(step: LlmStep, kind: 'input' | 'output' | 'estimated', count: number): void;
  call(step: LlmStep, outcome: LlmOutcome): void;
}

/** A meter that counts nothing (tools, tests that do not look). */
export const silentMeter: LlmMeter = { tokens: () => undefined, call: () => undefined };

/** What failed, for the operator's log: no message text, only names and status codes. */
export interface LlmProblem {
  step: LlmStep;
  outcome: LlmOutcome;
  /** Error class name, e.g. `AuthenticationError`, `SyntaxError`. */
  error?: string;
  /** HTTP status from the server, when there was one. */
  status?: number;
  /** Which guard refused a composed answer. */
  reason?: string;
}
