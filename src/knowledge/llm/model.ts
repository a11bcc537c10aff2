import type { z } from 'zod';
import type { LlmSettings } from './settings.js';

/** One message of a prompt. */
export interface ChatMessage {
  role: 'system' | 'user';
  content: string;
}

/** What one structured call returned. */
export interface StructuredResult<T> {
  /** The parsed output; null when the model refused. */
  parsed: T | null;
  /** Tokens as the server reported them; undefined when it did not. */
  usage?: { input: number; output: number };
}

/**
 * Sends a prompt and reads JSON that matches a schema. Rejects on an HTTP
 * error, malformed JSON, output that does not match the schema, or when
 * `signal` aborts; never retries (the turn's deadline is short).
 */
export type StructuredCaller<T> = (
  messages: ChatMessage[],
  signal: AbortSignal,
) => Promise<StructuredResult<T>>;

export interface ChatModel {
  /** A caller for one kind of structured output, built once and reused. */
  structured<T extends Record<string, unknown>>(spec: {
    /** The schema's name as the server sees it (`response_format.json_schema.name`). */
    name: string;
    schema: z.ZodType<T>;
    /** Longest output, in tokens; a longer answer is cut off and fails to parse. */
    maxTokens: number;
  }): StructuredCaller<T>;
}

/**
 * The model behind the settings: LangChain's chat-completions model, whose
 * HTTP client is the `openai` package, pointed at `baseUrl`. Imported here,
 * on first use, so that with the model off neither package is ever loaded.
 * Chat completions (not the Responses API) because that is what every
 * OpenAI-compatible server (vLLM, Ollama, LM Studio) implements.
 */
export async function createChatModel(settings: LlmSettings): Promise<ChatModel> {
  const { ChatOpenAICompletions } = await import('@langchain/openai');
  const { HumanMessage, SystemMessage } = await import('@langchain/core/messages');
  const toLangChain = (messages: ChatMessage[]) =>
    messages.map((m) =>
      m.role === 'system' ? new SystemMessage(m.content) : new HumanMessage(m.content),
    );
  return {
    structured<T extends Record<string, unknown>>({
      name,
      schema,
      maxTokens,
    }: {
      name: string;
      schema: z.ZodType<T>;
      maxTokens: number;
    }): StructuredCaller<T> {
      const chat = new ChatOpenAICompletions({
        model: settings.model,
        apiKey: settings.apiKey,
        // Always explicit: without a base URL LangChain would read OPENAI_BASE_URL or a gateway from the environment.
        // The client's own log (OPENAI_LOG=debug) prints request bodies; ours reports failures without text.
        configuration: { baseURL: settings.baseUrl, logLevel: 'off' },
        timeout: settings.timeoutMs,
        // One try: a retry would not fit in the turn's deadline, and the curated answer is ready.
        maxRetries: 0,
        maxTokens,
        // Low randomness keeps answers close to the passages; reasoning models accept only the default.
        ...(isReasoningModel(settings.model) ? {} : { temperature: 0.2 }),
      });
      const runnable = chat.withStructuredOutput(schema, {
        name,
        method: 'jsonSchema',
        strict: true,
        includeRaw: true,
      });
      return async (messages, signal) => {
        const { raw, parsed } = await runnable.invoke(toLangChain(messages), { signal });
        const usage = 'usage_metadata' in raw ? usageOf(raw.usage_metadata) : undefined;
        return { parsed: (parsed as T | null) ?? null, ...(usage ? { usage } : {}) };
      };
    },
  };
}

function usageOf(metadata: unknown): { input: number; output: number } | undefined {
  const m = metadata as { input_tokens?: unknown; output_tokens?: unknown } | undefined;
  if (typeof m?.input_tokens !== 'number' || typeof m.output_tokens !== 'number') return undefined;
  return { input: m.input_tokens, output: m.output_tokens };
}

/** OpenAI's o-series and gpt-5 (not gpt-5-chat) refuse a temperature other than the default. */
function isReasoningModel(model: string): boolean {
  return /^o\d/.test(model) || (model.startsWith('gpt-5') && !model.startsWith('gpt-5-chat'));
}
