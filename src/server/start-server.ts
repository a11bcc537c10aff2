import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { DestinationStream } from 'pino';
import { Server } from 'socket.io';
import type { ChannelState } from '../bots/channel.js';
import { createChannelAdapters } from '../bots/registry.js';
import { type Config, llmSettings, queueSettings } from '../config.js';
import type { Engine } from '../engine/engine.js';
import { startQueueAlerts } from '../handoff/alerts.js';
import { createConsoleApi } from '../handoff/console-api.js';
import { createConsoleAuth } from '../handoff/console-auth.js';
import { attachConsoleGateway } from '../handoff/console-gateway.js';
import { createTeamApi } from '../handoff/console-team-api.js';
import type { Handoff } from '../handoff/handoff.js';
import { parseOpeningHours } from '../handoff/opening-hours.js';
import { createReportsApi, type ReportLabel } from '../handoff/reports-api.js';
import { groupGaps } from '../knowledge/gaps.js';
import { assembleEngine, type Content, createModel } from '../load-content.js';
import type { Store } from '../store/store.js';
import { createApp } from './app.js';
import { wireChannels } from './channels.js';
import { attachChatGateway } from './chat-gateway.js';
import { createLogger, type Logger } from './logger.js';
import { createMetrics, llmMeter } from './metrics.js';
import { createOutboundRegistry } from './outbound.js';
import { createOutbox } from './outbox.js';
import { startRetentionJob } from './retention-job.js';
import { clientAddressFor } from './trust-proxy.js';

export interface RunningServer {
  url: string;
  http: HttpServer;
  engine: Engine;
  handoff: Handoff;
  store: Store;
  logger: Logger;
  /** Stops taking work, finishes turns in flight, closes the store. */
  stop(): Promise<void>;
}

/** Up to three curated answers for a message, in the person's language. */
function suggestFrom(knowledge: Content['knowledge']) {
  return (text: string, locale: string) =>
    knowledge.index.search(text, 3).flatMap((hit) => {
      const a = knowledge.article(hit.topicId, locale);
      return a ? [{ topicId: a.id, title: a.title, short: a.short.trim() }] : [];
    });
}

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));

/** Report keys that content can name: topics by article title, provinces by name. */
function reportLabel(content: Content): ReportLabel {
  return (field, key, locale) => {
    if (field === 'topic') return content.knowledge.article(key, locale)?.title;
    if (field === 'province') return content.directory.provinces.find((p) => p.id === key)?.name;
    return undefined;
  };
}

/** Whether a browser page at `origin` may open a chat (or the console) on this server. */
export function originAllowed(allowed: string[], origin?: string, host?: string): boolean {
  if (!origin || allowed.includes('*') || allowed.includes(origin)) return true;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

/** Durable channel state (Zalo's tokens) in the store, shared by every instance. */
function channelState(store: Store): ChannelState {
  return {
    get: async (name) => (await store.getDataset(`channel:${name}`))?.value,
    // Sealed: these are live credentials (Zalo's single-use refresh token).
    put: (name, value) => store.putDataset(`channel:${name}`, value, { sealed: true }),
    async exclusive(name, fn) {
      const token = await store.acquireLock(`channel:${name}`, 30_000);
      if (!token) return undefined;
      try {
        return await fn();
      } finally {
        await store.releaseLock(`channel:${name}`, token);
      }
    },
  };
}

/** Wires HTTP, Socket.IO and the engine over a given store and loaded content. */
export async function startServer(
  config: Config,
  store: Store,
  content: Content,
  /** Where logs go (standard output by default; tests capture them). */
  logDestination?: DestinationStream,
): Promise<RunningServer> {
  const logger = createLogger(config.LOG_LEVEL, logDestination);
  const metrics = createMetrics();
  const { knowledge } = content;
  const outbound = createOutboundRegistry(logger);
  // Off by default: then no model client exists and no request is ever made.
  const model = await createModel(llmSettings(config), content, {
    meter: llmMeter(metrics),
    onProblem: (problem) => logger.warn(problem, 'language model not used for this turn'),
  });
  const { engine, handoff, events } = assembleEngine({
    store,
    content,
    outbound,
    maxMessageChars: config.MAX_MESSAGE_CHARS,
    queueSettings: queueSettings(config),
    hours: parseOpeningHours(config.COUNSELLOR_HOURS, config.TIMEZONE),
    ...(model ? { model } : {}),
  });
  // Messaging channels: each enabled adapter gets a webhook and sends through the outbox.
  const adapters = await createChannelAdapters(config, { state: channelState(store) });
  const outbox = createOutbox({
    store,
    adapters: new Map(adapters.map((a) => [a.name, a])),
    logger,
    metrics,
    retry: {
      baseMs: config.OUTBOX_RETRY_BASE_MS,
      maxMs: config.OUTBOX_RETRY_MAX_MS,
      expiryMs: config.OUTBOX_EXPIRY_HOURS * 3600_000,
    },
    pollMs: config.OUTBOX_POLL_MS,
    onUndeliverable: (item, reason) => {
      // Refused credentials stop a whole channel: say it loudly (Zalo needs a new consent).
      if (reason === 'auth') {
        logger.error({ channel: item.channel }, 'channel credentials refused; renew them');
      }
      events.emit('delivery.failed', {
        conversationId: item.conversationId,
        reason,
        at: new Date(),
      });
    },
  });
  const channels = wireChannels({
    adapters,
    engine,
    store,
    knowledge,
    outbox,
    logger,
    metrics,
    userRatePerMinute: config.USER_RATE_PER_MINUTE,
  });
  for (const adapter of adapters) {
    outbound.register(
      adapter.name,
      (conversation, replies, options) =>
        channels.deliver(adapter, conversation, replies, options.human === true),
      (conversation) => adapter.typing?.(conversation.userId, conversation.context.address),
    );
  }
  const retention = startRetentionJob({ store, logger, retentionDays: config.RETENTION_DAYS });
  const stopAlerts = startQueueAlerts({
    store,
    events,
    logger,
    settings: queueSettings(config),
    ...(config.ALERT_WEBHOOK_URL ? { webhookUrl: config.ALERT_WEBHOOK_URL } : {}),
    intervalMs: config.ALERT_CHECK_SECONDS * 1000,
  });
  const auth = createConsoleAuth(store, config.COUNSELLOR_SESSION_HOURS);
  let accepting = true;
  const app = createApp({
    store,
    logger,
    metrics,
    widgetDir: `${projectRoot}dist/widget`,
    consoleDir: `${projectRoot}dist/console`,
    demoPage: `${projectRoot}src/ui/demo/index.html`,
    quickExitUrl: config.QUICK_EXIT_URL,
    isAccepting: () => accepting,
    webhooks: channels.routes,
    webhookRatePerIpPerMinute: config.WEBHOOK_RATE_PER_IP_PER_MINUTE,
    trustProxy: config.TRUST_PROXY,
    routes: [
      {
        path: '/api/console',
        router: createConsoleApi({ store, handoff, auth, suggest: suggestFrom(knowledge) }),
      },
      {
        path: '/api/console',
        router: createReportsApi({ store, auth, label: reportLabel(content), groupGaps }),
      },
      {
        path: '/api/console',
        router: createTeamApi({
          store,
          auth,
          settings: queueSettings(config),
          directory: (q) => content.directory.search(q),
          locales: knowledge.locales.map((code) => ({ code, name: knowledge.languageName(code) })),
        }),
      },
    ],
  });
  const http = createServer(app);
  const origins = config.WIDGET_ORIGINS.split(',').map((o) => o.trim());
  const io = new Server(http, {
    // A message is at most MAX_MESSAGE_CHARS; anything far larger is an abuse.
    maxHttpBufferSize: Math.max(16_384, config.MAX_MESSAGE_CHARS * 8),
    cors: { origin: origins.includes('*') ? true : origins },
    // CORS only covers long-polling: a WebSocket from any page would still connect. So the
    // handshake itself checks the page's origin against the allow-list (our own pages, such
    // as the console, always pass; clients that send no Origin are not browsers on a page).
    allowRequest: (req, done) =>
      done(null, originAllowed(origins, req.headers.origin, req.headers.host)),
    serveClient: false,
    cookie: false,
  });
  // Loaded only when set: the Redis client is not needed by a single instance.
  const closeRedis = config.REDIS_URL
    ? await (await import('./redis-adapter.js')).useRedisAdapter(io, config.REDIS_URL)
    : async () => undefined;
  const chat = attachChatGateway(io, {
    engine,
    knowledge,
    logger,
    metrics,
    maxMessageChars: config.MAX_MESSAGE_CHARS,
    connectionLimits: {
      perMinute: config.WIDGET_CONNECT_RATE_PER_IP_PER_MINUTE,
      concurrent: config.WIDGET_MAX_CONNECTIONS_PER_IP,
    },
    // The same address express gives req.ip: X-Forwarded-For only from a trusted proxy.
    clientAddress: clientAddressFor(app),
  });
  outbound.register(
    'web',
    (conversation, replies) => {
      chat.to(`user:${conversation.userId}`).emit('replies', { replies });
    },
    (conversation) => {
      chat.to(`user:${conversation.userId}`).emit('typing', {});
    },
  );
  attachConsoleGateway(io, { auth, events, logger, handoff });

  await new Promise<void>((resolve) => http.listen(config.PORT, config.HOST, resolve));
  // Pending sends left by a previous run go out now, and acknowledged events it had not finished run.
  outbox.start();
  const resumeInbox = () =>
    void channels
      .resume(config.INBOX_RESUME_SECONDS * 1000)
      .catch((error) => logger.error({ err: error }, 'inbox resume failed'));
  resumeInbox();
  const inboxTimer = setInterval(resumeInbox, Math.max(1000, config.INBOX_RESUME_SECONDS * 500));
  inboxTimer.unref();
  const { port } = http.address() as AddressInfo;
  const host = config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST;
  logger.info({ port }, 'safe journey listening');

  let stopping: Promise<void> | undefined;
  async function stop() {
    accepting = false;
    clearInterval(inboxTimer);
    stopAlerts();
    retention.stop();
    const grace = new Promise<void>((resolve) =>
      setTimeout(resolve, config.SHUTDOWN_GRACE_SECONDS * 1000).unref(),
    );
    // No new turns: sockets are closed, then we wait for the turns already running.
    io.close();
    await Promise.race([engine.drain(), grace]);
    await Promise.race([outbox.stop(), grace]);
    http.closeAllConnections();
    await closeRedis();
    await store.close();
    logger.info('safe journey stopped');
  }
  return {
    url: `http://${host}:${port}`,
    http,
    engine,
    handoff,
    store,
    logger,
    stop: () => {
      stopping ??= stop();
      return stopping;
    },
  };
}
