import { createHash, createHmac } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LineFake, startLineFake } from '../fakes/line-fake.js';
import { type MessengerFake, startMessengerFake } from '../fakes/messenger-fake.js';
import { startZaloFake, type ZaloFake } from '../fakes/zalo-fake.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { activityBody, lineBody, messengerBody, zaloBody } from './arbitraries.js';

/**
 * The signed webhook routes over real HTTP, every body signed correctly, so it
 * gets past the signature check and reaches the parser and the turn. 400 runs
 * per route (each is a real request and maybe a turn; the 10,000-case runs of
 * the same generators are in parsers.test.ts, in process). Answers are 200 or
 * 4xx, never 5xx, nothing logs "request failed" or "channel turn failed", and
 * the service still answers /healthz afterwards.
 */
const RUNS = 400;

let server: TestServer;
let messenger: MessengerFake;
let line: LineFake;
let zalo: ZaloFake;
const logs: string[] = [];

beforeAll(async () => {
  [messenger, line, zalo] = await Promise.all([
    startMessengerFake(),
    startLineFake(),
    startZaloFake(),
  ]);
  server = await startTestServer(
    {
      MESSENGER_APP_SECRET: messenger.appSecret,
      MESSENGER_PAGE_ACCESS_TOKEN: messenger.pageAccessToken,
      MESSENGER_VERIFY_TOKEN: messenger.verifyToken,
      MESSENGER_GRAPH_URL: messenger.url,
      MESSENGER_GRAPH_VERSION: messenger.graphVersion,
      LINE_CHANNEL_SECRET: line.channelSecret,
      LINE_CHANNEL_ACCESS_TOKEN: line.channelAccessToken,
      LINE_API_URL: line.url,
      ZALO_APP_ID: zalo.appId,
      ZALO_APP_SECRET: zalo.appSecret,
      ZALO_OA_SECRET_KEY: zalo.oaSecretKey,
      ZALO_REFRESH_TOKEN: zalo.tokens.refreshToken,
      ZALO_API_URL: zalo.url,
      ZALO_OAUTH_URL: zalo.url,
      BOTFRAMEWORK_ANONYMOUS: 'true',
      // Everything here comes from 127.0.0.1: the per-IP limit is tested on its own.
      WEBHOOK_RATE_PER_IP_PER_MINUTE: '1000000',
      USER_RATE_PER_MINUTE: '1000000',
      LOG_LEVEL: 'error',
      OUTBOX_RETRY_BASE_MS: '5000',
    },
    undefined,
    logs,
  );
}, 30_000);

afterAll(async () => {
  await server?.cleanup();
  await Promise.all([messenger?.close(), line?.close(), zalo?.close()]);
});

type Signer = (raw: string) => Record<string, string>;
const hmac = (key: string, raw: string) => createHmac('sha256', key).update(raw);

const ROUTES: [string, string, fc.Arbitrary<unknown>, () => Signer][] = [
  [
    'Messenger',
    '/webhooks/messenger',
    messengerBody,
    () => (raw) => ({
      'x-hub-signature-256': `sha256=${hmac(messenger.appSecret, raw).digest('hex')}`,
    }),
  ],
  [
    'LINE',
    '/webhooks/line',
    lineBody,
    () => (raw) => ({ 'x-line-signature': hmac(line.channelSecret, raw).digest('base64') }),
  ],
  [
    'Zalo',
    '/webhooks/zalo',
    zaloBody,
    () => (raw) => {
      let ts: unknown;
      try {
        ts = (JSON.parse(raw) as { timestamp?: unknown } | null)?.timestamp;
      } catch {}
      const mac = createHash('sha256')
        .update(zalo.appId + raw + String(ts) + zalo.oaSecretKey)
        .digest('hex');
      return { 'x-zevent-signature': `mac=${mac}` };
    },
  ],
  // Anonymous mode (as in test/bots/botframework.test.ts): no token to sign.
  ['Bot Framework', '/api/messages', activityBody, () => () => ({})],
];

/** A body as bytes: its JSON mostly, sometimes cut short or not JSON at all. */
const rawOf = (bodies: fc.Arbitrary<unknown>) =>
  fc.oneof(
    { weight: 6, arbitrary: bodies.map((b) => JSON.stringify(b) ?? '') },
    {
      weight: 1,
      arbitrary: bodies.chain((b) => {
        const json = JSON.stringify(b) ?? '';
        return fc.nat(json.length).map((n) => json.slice(0, n));
      }),
    },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 64 }) },
  );

describe('signed webhook routes under hostile bodies', () => {
  for (const [name, path, bodies, signer] of ROUTES) {
    it(`${name}: ${RUNS} signed random bodies get 200 or 4xx and the server keeps serving`, async () => {
      const statuses = new Map<number, number>();
      await fc.assert(
        fc.asyncProperty(rawOf(bodies), async (raw) => {
          const res = await fetch(`${server.url}${path}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...signer()(raw) },
            body: raw,
          });
          await res.arrayBuffer();
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          expect(res.status === 200 || (res.status >= 400 && res.status < 500), raw).toBe(true);
        }),
        { numRuns: RUNS },
      );
      // Signed correctly: some bodies must have been accepted, and none refused as unsigned
      // (Zalo's signature covers the body's own timestamp: a body without one cannot be signed).
      expect(statuses.get(200) ?? 0).toBeGreaterThan(RUNS / 200);
      if (name !== 'Zalo') expect(statuses.get(401) ?? 0).toBe(0);
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    });
  }

  it('logged no failed request and no failed turn', async () => {
    await new Promise((r) => setTimeout(r, 500));
    const failures = logs.filter((l) => /request failed|channel turn failed/.test(l));
    expect(failures).toEqual([]);
  });
});
