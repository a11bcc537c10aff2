import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import express, { type ErrorRequestHandler, type Express, type Router } from 'express';
import helmet from 'helmet';
import type { Store } from '../store/store.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import { ipRateLimit } from './rate-limit.js';
import type { TrustProxy } from './trust-proxy.js';

export interface AppOptions {
  store: Store;
  logger: Logger;
  metrics: Metrics;
  /** Folder with the built widget script (`safe-journey-widget.js`). */
  widgetDir: string;
  /** Folder with the built counsellor console (served at /console). */
  consoleDir?: string;
  /** The demo page template. */
  demoPage: string;
  quickExitUrl: string;
  /** False while shutting down, so the load balancer stops sending traffic. */
  isAccepting: () => boolean;
  /** Routers mounted by other modules (counsellor API). */
  routes?: { path: string; router: Router }[];
  /** Channel webhooks: mounted before the JSON parser, because signatures cover the raw bytes. */
  webhooks?: { path: string; router: Router }[];
  /** Webhook requests allowed from one IP per minute, then 429 (default 6000). */
  webhookRatePerIpPerMinute?: number;
  /** Which proxies' X-Forwarded-For to believe for `req.ip` (default: none). */
  trustProxy?: TrustProxy;
}

/**
 * The HTTP side: demo page, widget script, health, readiness and metrics.
 * Channel webhooks and the counsellor API mount here as they arrive.
 */
export function createApp(options: AppOptions): Express {
  const { store, logger, metrics } = options;
  const app = express();
  app.disable('x-powered-by');
  // req.ip feeds the per-address limits and the sign-in lockout: behind a proxy it must be
  // the person's address, and X-Forwarded-For must be ignored when no proxy is trusted.
  app.set('trust proxy', options.trustProxy ?? false);
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          'script-src': ["'self'"],
          'connect-src': ["'self'"],
          'img-src': ["'self'", 'data:'],
          // Deployments behind plain HTTP (a school intranet, a laptop) must still reach the socket.
          'upgrade-insecure-requests': null,
        },
      },
      // The widget script is loaded by schools' pages on other origins.
      crossOriginResourcePolicy: { policy: 'cross-origin' },
    }),
  );
  // One limiter for all webhook routes: a flood from one address, whatever door it knocks on.
  const perIp = ipRateLimit(options.webhookRatePerIpPerMinute ?? 6000);
  for (const { path, router } of options.webhooks ?? []) app.use(path, perIp, router);
  app.use(express.json({ limit: '32kb' }));

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    if (!options.isAccepting()) {
      res.status(503).json({ status: 'stopping' });
      return;
    }
    try {
      // A probe gives up after a second or so (Kubernetes: 1 s); a store that does not answer
      // in time is as unready as one that refuses, and the probe should hear 503, not silence.
      await withTimeout(store.ping(), READY_TIMEOUT_MS);
      res.json({ status: 'ready' });
    } catch (error) {
      logger.warn({ err: error }, 'readiness: store unavailable');
      res.status(503).json({ status: 'store unavailable' });
    }
  });
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  app.get('/widget.js', (_req, res) => {
    res.type('application/javascript');
    res.set('Cache-Control', 'public, max-age=300');
    res.sendFile(join(options.widgetDir, 'safe-journey-widget.js'), (error) => {
      if (error && !res.headersSent) {
        res.status(503).type('text/plain').send('widget not built: run npm run build');
      }
    });
  });
  if (options.consoleDir) {
    app.use('/console', express.static(options.consoleDir, { index: 'index.html', maxAge: '5m' }));
  }
  const demo = readFileSync(options.demoPage, 'utf8').replaceAll(
    '{{QUICK_EXIT_URL}}',
    options.quickExitUrl,
  );
  app.get('/', (_req, res) => {
    res.type('html').send(demo);
  });

  for (const { path, router } of options.routes ?? []) app.use(path, router);

  app.use((_req, res) => {
    res.status(404).json({ error: { code: 'not_found', message: 'no such page' } });
  });
  const onError: ErrorRequestHandler = (error, _req, res, _next) => {
    const status = typeof error?.status === 'number' && error.status < 500 ? error.status : 500;
    if (status >= 500) logger.error({ err: error }, 'request failed');
    res.status(status).json({
      error: {
        code: status === 413 ? 'too_large' : status < 500 ? 'bad_request' : 'server_error',
        message: status < 500 ? String(error.message ?? 'bad request') : 'internal error',
      },
    });
  };
  app.use(onError);
  return app;
}

const READY_TIMEOUT_MS = 800;

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
