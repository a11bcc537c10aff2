import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { ChatAck } from '../../src/server/chat-gateway.js';
import { type OpenAiFake, startOpenAiFake } from '../fakes/openai-fake.js';
import { CALM } from '../support/model.js';
import { connectChat, startTestServer } from '../support/server.js';

/** The model through the real configuration, server, widget gateway and /metrics. */

let fake: OpenAiFake;
beforeAll(async () => {
  fake = await startOpenAiFake();
});
afterAll(() => fake.close());

const ANSWER =
  '111 là tổng đài quốc gia về phòng, chống mua bán người. Bạn gọi miễn phí, lúc nào cũng có người nghe máy.';

async function ask(url: string, session: string, text: string): Promise<ChatAck> {
  const socket = connectChat(url, session);
  try {
    return await socket.emitWithAck('message', { id: 'm1', text });
  } finally {
    socket.disconnect();
  }
}

describe('the optional model in the running server', () => {
  it('is off by default: with a server configured but no LLM_MODE, nothing is sent', async () => {
    const server = await startTestServer({ LLM_BASE_URL: fake.baseUrl, LLM_API_KEY: fake.apiKey });
    try {
      const ack = await ask(server.url, 'session-llm-off-0000000', 'tổng đài 111 là gì vậy');
      expect(ack.ok && ack.replies[0]?.topicId).toBe('hotline-111');
      expect(ack.ok && ack.replies[0]?.composed).toBeUndefined();
      expect(fake.requests).toEqual([]);
    } finally {
      await server.cleanup();
    }
  });

  it('composes through the widget and counts tokens in sj_llm_tokens_total', async () => {
    fake.script({
      json: { ...CALM, answer: ANSWER, topicIds: ['hotline-111'] },
      usage: { prompt_tokens: 1234, completion_tokens: 56 },
    });
    const server = await startTestServer({
      LLM_MODE: 'compose',
      LLM_BASE_URL: fake.baseUrl,
      LLM_API_KEY: fake.apiKey,
      LLM_MODEL: 'llama3.1:8b',
    });
    try {
      const ack = await ask(server.url, 'session-llm-compose-000', 'tổng đài 111 là gì vậy');
      expect(ack.ok && ack.replies[0]).toMatchObject({ text: ANSWER, composed: true });
      expect(fake.requests.at(-1)?.model).toBe('llama3.1:8b');
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      expect(metrics).toContain('sj_llm_tokens_total{step="compose",kind="input"} 1234');
      expect(metrics).toContain('sj_llm_tokens_total{step="compose",kind="output"} 56');
      expect(metrics).toContain('sj_llm_calls_total{step="compose",outcome="ok"} 1');
    } finally {
      await server.cleanup();
    }
  });
});

describe('the model settings', () => {
  it('name the variable in every error', () => {
    expect(() => loadConfig({ LLM_MODE: 'always' })).toThrow(/LLM_MODE/);
    expect(() => loadConfig({ LLM_MODE: 'compose' })).toThrow(/LLM_API_KEY: required/);
    expect(() => loadConfig({ LLM_MODE: 'assist', LLM_BASE_URL: 'ftp://x' })).toThrow(
      /LLM_BASE_URL/,
    );
    expect(() =>
      loadConfig({ LLM_MODE: 'assist', LLM_API_KEY: 'k', LANGSMITH_TRACING: 'true' }),
    ).toThrow(/LANGSMITH_TRACING: must be unset/);
  });

  it('need no key for a self-hosted server, and allow tracing variables while the model is off', () => {
    const local = loadConfig({ LLM_MODE: 'compose', LLM_BASE_URL: 'http://localhost:11434/v1' });
    expect(local.LLM_MODE).toBe('compose');
    expect(loadConfig({ LANGCHAIN_TRACING_V2: 'true' }).LLM_MODE).toBe('off');
  });
});
