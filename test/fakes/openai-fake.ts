import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local OpenAI-compatible chat server (the part of the API the bot uses:
 * `POST /v1/chat/completions`, not streamed) on 127.0.0.1:0. The real
 * `openai` client inside LangChain talks to it through `LLM_BASE_URL`. It
 * checks the bearer key and the request's shape like the real API, records
 * every request body, and answers from a script: content, a delay, an HTTP
 * error, or a refusal.
 */

// biome-ignore lint/suspicious/noExplicitAny: request bodies are free-form JSON in tests.
type Json = any;

/** One scripted answer to one request. */
export interface ScriptedAnswer {
  /** The assistant message's content, sent as is (may be broken JSON on purpose). */
  content?: string;
  /** Shorthand: content = JSON.stringify(json). */
  json?: unknown;
  /** A refusal instead of content (what OpenAI sends when a model declines). */
  refusal?: string;
  /** Wait this long before answering (the client may give up first). */
  delayMs?: number;
  /** Answer with this HTTP error instead. */
  status?: 400 | 401 | 429 | 500 | 503;
  /** Token usage to report; estimated from the text lengths when omitted. */
  usage?: { prompt_tokens: number; completion_tokens: number };
}

/** A scripted answer, or a function that picks one from the request body. */
export type Script = ScriptedAnswer | ((body: Json) => ScriptedAnswer);

export interface OpenAiFake {
  /** Base URL to give as `LLM_BASE_URL` (ends in `/v1`). */
  baseUrl: string;
  /** The only API key the fake accepts. */
  apiKey: string;
  /** Every request body received on `/v1/chat/completions`, in arrival order. */
  requests: Json[];
  /** Queues answers for the next requests, in order; `fallback` answers once the queue is empty. */
  script(...answers: Script[]): void;
  /** Answer used when nothing is queued (default: HTTP 500 "no scripted answer"). */
  fallback: Script;
  close(): Promise<void>;
}

export async function startOpenAiFake(apiKey = 'sk-test-fake'): Promise<OpenAiFake> {
  const requests: Json[] = [];
  const queue: Script[] = [];
  const fake: Partial<OpenAiFake> & { fallback: Script } = {
    fallback: { status: 500, content: 'no scripted answer' },
  };

  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const path = new URL(req.url ?? '/', 'http://fake').pathname;
    if (req.method !== 'POST' || path !== '/v1/chat/completions') {
      return send(res, 404, { error: { message: `no route ${req.method} ${path}` } });
    }
    if (req.headers.authorization !== `Bearer ${apiKey}`) {
      return send(res, 401, {
        error: { message: 'Incorrect API key provided', code: 'invalid_api_key' },
      });
    }
    let body: Json;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return send(res, 400, { error: { message: 'body is not JSON' } });
    }
    if (typeof body?.model !== 'string' || !Array.isArray(body?.messages) || body.stream) {
      return send(res, 400, {
        error: { message: 'model and messages required; stream unsupported' },
      });
    }
    requests.push(body);
    const next = queue.shift() ?? fake.fallback;
    const answer = typeof next === 'function' ? next(body) : next;
    if (answer.delayMs) {
      const waited = await delay(answer.delayMs, res);
      if (!waited) return; // The client gave up and closed the connection.
    }
    if (answer.status) {
      return send(res, answer.status, { error: { message: answer.content ?? 'scripted error' } });
    }
    send(res, 200, completion(body, answer));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return Object.assign(fake, {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    apiKey,
    requests,
    script: (...answers: Script[]) => void queue.push(...answers),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  }) as OpenAiFake;
}

/** A `chat.completion` object as the API returns it. */
function completion(body: Json, answer: ScriptedAnswer): Json {
  const content =
    answer.refusal !== undefined
      ? null
      : (answer.content ?? (answer.json !== undefined ? JSON.stringify(answer.json) : ''));
  const promptChars = JSON.stringify(body.messages).length;
  const usage = answer.usage ?? {
    prompt_tokens: Math.ceil(promptChars / 4),
    completion_tokens: Math.ceil((content ?? answer.refusal ?? '').length / 4),
  };
  return {
    id: `chatcmpl-fake-${Date.now()}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: body.model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content, refusal: answer.refusal ?? null },
        logprobs: null,
        finish_reason: 'stop',
      },
    ],
    usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
  };
}

function send(res: ServerResponse, status: number, body: Json) {
  if (res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** Waits, unless the client goes away first (then no timer is left behind). */
function delay(ms: number, res: ServerResponse): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(true), ms);
    res.once('close', () => {
      clearTimeout(timer);
      resolve(false);
    });
  });
}
