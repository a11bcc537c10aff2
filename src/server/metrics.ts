import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { LlmMeter } from '../knowledge/llm/settings.js';

/** Prometheus metrics, served at /metrics. Labels never carry user data. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'sj_' });
  return {
    registry,
    turns: new Counter({
      name: 'sj_turns_total',
      help: 'Turns handled, by channel and intent',
      labelNames: ['channel', 'intent'] as const,
      registers: [registry],
    }),
    turnSeconds: new Histogram({
      name: 'sj_turn_seconds',
      help: 'Time to handle one turn',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    turnErrors: new Counter({
      name: 'sj_turn_errors_total',
      help: 'Turns that failed or were rejected, by reason',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    sends: new Counter({
      name: 'sj_channel_sends_total',
      help: 'Platform messages delivered, by channel and how (reply, push, send)',
      labelNames: ['channel', 'via'] as const,
      registers: [registry],
    }),
    sendFailures: new Counter({
      name: 'sj_channel_send_failures_total',
      help: 'Platform sends that failed, by channel, reason and whether they will be retried',
      labelNames: ['channel', 'reason', 'retry'] as const,
      registers: [registry],
    }),
    webhooks: new Counter({
      name: 'sj_webhooks_total',
      help: 'Webhook requests, by channel and result (accepted, bad_signature, bad_request)',
      labelNames: ['channel', 'result'] as const,
      registers: [registry],
    }),
    chatSockets: new Gauge({
      name: 'sj_chat_sockets',
      help: 'Open widget connections',
      registers: [registry],
    }),
    chatConnectionsRefused: new Counter({
      name: 'sj_chat_connections_refused_total',
      help: 'Widget connections refused by the per-address limits, by reason (rate, concurrent)',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    llmTokens: new Counter({
      name: 'sj_llm_tokens_total',
      help: 'Language-model tokens, by step (assist, compose) and kind (input, output, estimated when a failed call reported none)',
      labelNames: ['step', 'kind'] as const,
      registers: [registry],
    }),
    llmCalls: new Counter({
      name: 'sj_llm_calls_total',
      help: 'Language-model calls, by step and outcome (ok, rejected, declined, refused, malformed, timeout, error, budget)',
      labelNames: ['step', 'outcome'] as const,
      registers: [registry],
    }),
  };
}

/** The language model's counts, into these metrics. */
export function llmMeter(metrics: Metrics): LlmMeter {
  return {
    tokens: (step, kind, count) => metrics.llmTokens.inc({ step, kind }, count),
    call: (step, outcome) => metrics.llmCalls.inc({ step, outcome }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
