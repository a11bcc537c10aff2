import { join, resolve } from 'node:path';
import { z } from 'zod';
import { parseTrustProxy } from './server/trust-proxy.js';

/**
 * The only reader of process.env. Every setting, its default and its meaning;
 * the README's configuration table is written from this list.
 */
const schema = z.object({
  /** TCP port of the HTTP server. */
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** Interface to listen on; 0.0.0.0 in a container, 127.0.0.1 for local-only. */
  HOST: z.string().min(1).default('0.0.0.0'),
  /** Folder for the embedded SQLite database. */
  DATA_DIR: z.string().min(1).default('./data'),
  /** MongoDB connection string; when set, MongoDB is the store instead of SQLite. */
  MONGODB_URI: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://')
    .optional(),
  /** Key sealing message text at rest: 32 bytes, base64. Required with MongoDB; made in DATA_DIR otherwise. */
  MESSAGE_KEY: z.string().optional(),
  /** Earlier keys, comma-separated, still accepted for reading (key rotation). */
  MESSAGE_KEY_PREVIOUS: z.string().optional(),
  /** Redis URL; when set, Socket.IO events cross instances (several servers behind a load balancer). */
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
    .optional(),
  /** Folder with articles, messages, teen-code and contacts. */
  CONTENT_DIR: z.string().min(1).default('./content'),
  /** Language used when a person's language is unknown. */
  DEFAULT_LOCALE: z
    .string()
    .regex(/^[a-z]{2,3}$/)
    .default('vi'),
  /** Webhook requests accepted from one IP address per minute (platforms post from many addresses), then 429. */
  WEBHOOK_RATE_PER_IP_PER_MINUTE: z.coerce.number().int().min(1).default(6000),
  /** New widget connections accepted from one address per minute, then refused with a friendly notice. */
  WIDGET_CONNECT_RATE_PER_IP_PER_MINUTE: z.coerce.number().int().min(1).default(120),
  /** Widget connections one address may hold open at once (a school or café behind one address needs room). */
  WIDGET_MAX_CONNECTIONS_PER_IP: z.coerce.number().int().min(1).default(50),
  /**
   * Express's `trust proxy`: off (`false`, default), `true`, a number of hops, or a comma-separated
   * list of `loopback`, `linklocal`, `uniquelocal`, addresses and CIDR ranges. Set it behind a
   * reverse proxy, or per-address limits and the sign-in lockout see the proxy, not the person.
   */
  TRUST_PROXY: z
    .string()
    .default('false')
    .transform((value, ctx) => {
      try {
        return parseTrustProxy(value);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    }),
  /** Messages one platform user may send per minute; beyond it turns are skipped and one friendly notice is sent. */
  USER_RATE_PER_MINUTE: z.coerce.number().int().min(1).default(30),
  /** Longest message accepted, in characters. */
  MAX_MESSAGE_CHARS: z.coerce.number().int().min(100).max(20000).default(2000),
  /** Origins allowed to embed the widget, comma-separated; `*` allows any site. */
  WIDGET_ORIGINS: z.string().default('*'),
  /** pino level: fatal, error, warn, info, debug, trace, silent. */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Where the widget's quick-exit button sends the page. */
  QUICK_EXIT_URL: z.url().default('https://www.google.com/search?q=th%E1%BB%9Di+ti%E1%BA%BFt'),
  /** When counsellors answer in the chat, HH:MM-HH:MM (00:00-24:00 = always). */
  COUNSELLOR_HOURS: z
    .string()
    .regex(/^([01]\d|2[0-4]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d$/, 'must look like 08:00-22:00')
    .default('00:00-24:00'),
  /** Time zone of COUNSELLOR_HOURS. */
  TIMEZONE: z.string().default('Asia/Ho_Chi_Minh'),
  /** Days a conversation is kept after its last activity, unless kept for follow-up. */
  RETENTION_DAYS: z.coerce.number().min(1).max(3650).default(90),
  /** How long a counsellor's sign-in lasts, in hours. */
  COUNSELLOR_SESSION_HOURS: z.coerce.number().min(0.1).max(72).default(12),
  /** Seconds an emergency / urgent / other ticket may wait unclaimed before an alert. */
  QUEUE_TARGET_EMERGENCY_SECONDS: z.coerce.number().int().min(10).default(120),
  QUEUE_TARGET_URGENT_SECONDS: z.coerce.number().int().min(10).default(600),
  QUEUE_TARGET_OTHER_SECONDS: z.coerce.number().int().min(10).default(1800),
  /** Minutes of waiting worth one priority level (ageing), so nothing waits forever. */
  QUEUE_AGEING_MINUTES: z.coerce.number().min(1).default(15),
  /** Optional URL that receives a JSON POST when a ticket waits past its target (no message text). */
  ALERT_WEBHOOK_URL: z.url().optional(),
  /** How often the queue is checked for overdue tickets, in seconds. */
  ALERT_CHECK_SECONDS: z.coerce.number().min(1).default(15),
  /** Messenger: the app secret (signs webhooks), the Page access token, and the webhook verify token you chose. */
  MESSENGER_APP_SECRET: z.string().min(1).optional(),
  MESSENGER_PAGE_ACCESS_TOKEN: z.string().min(1).optional(),
  MESSENGER_VERIFY_TOKEN: z.string().min(1).optional(),
  /** Graph API base URL and pinned version (change the URL only to use a test double). */
  MESSENGER_GRAPH_URL: z.url().default('https://graph.facebook.com'),
  MESSENGER_GRAPH_VERSION: z
    .string()
    .regex(/^v\d+\.\d+$/)
    .default('v25.0'),
  /** LINE: the channel secret (signs webhooks) and a channel access token. */
  LINE_CHANNEL_SECRET: z.string().min(1).optional(),
  LINE_CHANNEL_ACCESS_TOKEN: z.string().min(1).optional(),
  /** LINE quick-reply label length (20 is commonly cited, not confirmed by LINE's reference). */
  LINE_LABEL_LIMIT: z.coerce.number().int().min(1).max(100).default(20),
  /** LINE Messaging API base URL. */
  LINE_API_URL: z.url().default('https://api.line.me'),
  /** Zalo OA: app id, app secret (token refresh), OA secret key (webhook signature), first refresh token. */
  ZALO_APP_ID: z.string().min(1).optional(),
  ZALO_APP_SECRET: z.string().min(1).optional(),
  ZALO_OA_SECRET_KEY: z.string().min(1).optional(),
  ZALO_REFRESH_TOKEN: z.string().min(1).optional(),
  /** Zalo OpenAPI and OAuth base URLs. */
  ZALO_API_URL: z.url().default('https://openapi.zalo.me'),
  ZALO_OAUTH_URL: z.url().default('https://oauth.zaloapp.com'),
  /** Zalo limits the docs do not state for sure (reference §1.6): buttons per message, title length. */
  ZALO_BUTTON_LIMIT: z.coerce.number().int().min(1).max(20).default(5),
  ZALO_BUTTON_TITLE_LIMIT: z.coerce.number().int().min(5).max(200).default(100),
  /** Bot Framework (Azure Bot Service): app (client) id, secret and tenant. */
  BOTFRAMEWORK_APP_ID: z.string().min(1).optional(),
  BOTFRAMEWORK_APP_PASSWORD: z.string().min(1).optional(),
  BOTFRAMEWORK_TENANT_ID: z.string().min(1).optional(),
  /** Bot Framework: longest text piece and most suggested actions per message (Teams may show fewer). */
  BOTFRAMEWORK_TEXT_LIMIT: z.coerce.number().int().min(500).max(20000).default(4000),
  BOTFRAMEWORK_ACTION_LIMIT: z.coerce.number().int().min(1).max(100).default(10),
  /** `true` runs /api/messages without credentials (local Emulator, tests); refused in production. */
  BOTFRAMEWORK_ANONYMOUS: z.enum(['true', 'false']).default('false'),
  /** Outbox: first retry delay (ms), longest delay (ms), when an unsent message is given up (hours), poll interval (ms). */
  OUTBOX_RETRY_BASE_MS: z.coerce.number().int().min(1).default(1000),
  OUTBOX_RETRY_MAX_MS: z.coerce.number().int().min(1).default(300_000),
  OUTBOX_EXPIRY_HOURS: z.coerce.number().min(0.001).max(720).default(24),
  OUTBOX_POLL_MS: z.coerce.number().int().min(10).default(1000),
  /** Acknowledged webhook events older than this and still unfinished are taken up again (a stopped instance's). */
  INBOX_RESUME_SECONDS: z.coerce.number().min(0).max(3600).default(10),
  /** production | development | test; Bot Framework refuses anonymous mode in production. */
  NODE_ENV: z.string().default('development'),
  /** Seconds to wait for turns in flight when stopping. */
  SHUTDOWN_GRACE_SECONDS: z.coerce.number().min(0).max(120).default(10),
  /** Optional language model: `off` (no client, no request), `assist` (better search), `compose` (assist + written answers that pass the guards). */
  LLM_MODE: z.enum(['off', 'assist', 'compose']).default('off'),
  /** API key of the model server; required for OpenAI, optional for a self-hosted server. */
  LLM_API_KEY: z.string().min(1).optional(),
  /** Any OpenAI-compatible server (OpenAI, vLLM, Ollama, LM Studio), up to `/v1`. */
  LLM_BASE_URL: z.url({ protocol: /^https?$/ }).default('https://api.openai.com/v1'),
  /** Model name as the server knows it. */
  LLM_MODEL: z.string().min(1).default('gpt-4o-mini'),
  /** The most one turn waits for the model (all its calls), in milliseconds; then the curated answer. */
  LLM_TIMEOUT_MS: z.coerce.number().int().min(50).max(60_000).default(8000),
  /** Tokens per day (TIMEZONE) for this process; model calls stop when spent. */
  LLM_DAILY_TOKEN_BUDGET: z.coerce.number().int().min(0).default(500_000),
  /** Tokens per conversation; no limit when unset. */
  LLM_PER_CONVERSATION_TOKEN_BUDGET: z.coerce.number().int().min(1).optional(),
  /** `true` lets the person's earlier messages (scrubbed) go with the current one; default: only the current message. */
  LLM_SEND_TRANSCRIPTS: z.enum(['true', 'false']).default('false'),
});

/**
 * LangChain reads these itself: tracing would send every prompt to LangSmith,
 * verbose mode would print prompts to the log. Neither may be on with a model.
 */
const LANGCHAIN_LEAKS = [
  'LANGSMITH_TRACING',
  'LANGSMITH_TRACING_V2',
  'LANGCHAIN_TRACING',
  'LANGCHAIN_TRACING_V2',
  'LANGCHAIN_VERBOSE',
];

/** Settings that are valid one by one but not together (named like schema errors). */
function llmProblems(c: z.infer<typeof schema>, env: NodeJS.ProcessEnv): string[] {
  if (c.LLM_MODE === 'off') return [];
  const problems = LANGCHAIN_LEAKS.filter((name) => {
    const value = env[name]?.trim().toLowerCase();
    return value !== undefined && value !== '' && value !== 'false';
  }).map(
    (name) =>
      `  ${name}: must be unset or false when LLM_MODE is on (it would send or log prompts)`,
  );
  if (!c.LLM_API_KEY && new URL(c.LLM_BASE_URL).hostname === 'api.openai.com') {
    problems.push('  LLM_API_KEY: required when LLM_BASE_URL is OpenAI');
  }
  return problems;
}

export type Config = z.infer<typeof schema> & { databaseFile: string; keyFile: string };

/** The queue settings from the configuration. */
export function queueSettings(c: Config) {
  return {
    ageingMinutesPerLevel: c.QUEUE_AGEING_MINUTES,
    targetSeconds: {
      emergency: c.QUEUE_TARGET_EMERGENCY_SECONDS,
      urgent: c.QUEUE_TARGET_URGENT_SECONDS,
      none: c.QUEUE_TARGET_OTHER_SECONDS,
    },
  };
}

/** The optional language model's settings from the configuration. */
export function llmSettings(c: Config) {
  return {
    mode: c.LLM_MODE,
    // Self-hosted servers often need no key, but the client sends one: any placeholder does.
    apiKey: c.LLM_API_KEY ?? 'not-needed',
    baseUrl: c.LLM_BASE_URL,
    model: c.LLM_MODEL,
    timeoutMs: c.LLM_TIMEOUT_MS,
    dailyTokenBudget: c.LLM_DAILY_TOKEN_BUDGET,
    perConversationTokenBudget: c.LLM_PER_CONVERSATION_TOKEN_BUDGET,
    sendTranscripts: c.LLM_SEND_TRANSCRIPTS === 'true',
    timeZone: c.TIMEZONE,
  };
}

/** Reads and validates settings; the error names every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  const problems = parsed.success
    ? llmProblems(parsed.data, env)
    : parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
  if (!parsed.success || problems.length > 0) {
    throw new Error(`invalid configuration:\n${problems.join('\n')}`);
  }
  return {
    ...parsed.data,
    CONTENT_DIR: resolve(parsed.data.CONTENT_DIR),
    databaseFile: join(resolve(parsed.data.DATA_DIR), 'safe-journey.db'),
    keyFile: join(resolve(parsed.data.DATA_DIR), 'message.key'),
  };
}
