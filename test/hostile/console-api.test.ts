import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInCounsellor } from '../support/counsellors.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * The counsellor API (console-api, console-team-api, reports-api) as a
 * supervisor, with random JSON bodies, raw junk and random query strings:
 * 1,000 requests over HTTP (real requests, so fewer than the 10,000 in-process
 * parser runs). Every answer is 2xx or 4xx, and every 4xx is
 * `{error:{code,message}}`. Logout and "sign out everywhere" are left out: they
 * would end the session (ids here are random, so no colleague is revoked).
 */
const RUNS = 1000;

let server: TestServer;
let token: string;
beforeAll(async () => {
  server = await startTestServer();
  token = (await signedInCounsellor(server.store, 'sup', 'supervisor')).token;
});
afterAll(async () => {
  await server?.cleanup();
});

const seg = fc.oneof(fc.string({ maxLength: 12 }), fc.uuid(), fc.constant('sup'));
const WRITES: [string, (id: string) => string][] = [
  ['POST', () => '/login'],
  ['PUT', () => '/me/availability'],
  ['POST', () => '/queue/next'],
  ['POST', (id) => `/tickets/${id}/claim`],
  ['POST', (id) => `/tickets/${id}/release`],
  ['POST', (id) => `/tickets/${id}/messages`],
  ['POST', (id) => `/tickets/${id}/transfer`],
  ['POST', (id) => `/tickets/${id}/follow-up`],
  ['POST', (id) => `/tickets/${id}/close`],
  ['PUT', (id) => `/counsellors/${id}/languages`],
  ['POST', (id) => `/counsellors/${id}/sessions/revoke`],
  ['POST', () => '/canned'],
  ['PUT', (id) => `/canned/${id}`],
  ['DELETE', (id) => `/canned/${id}`],
];
const READS = ['/suggestions', '/directory', '/reports', '/reports/gaps', '/reports/topic.csv'];

/** Bodies near the schemas (so handlers run) and far from them. */
const body = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  fc
    .record(
      {
        username: fc.string(),
        password: fc.string(),
        available: fc.oneof(fc.boolean(), fc.string()),
        text: fc.string({ maxLength: 50 }),
        to: seg,
        keep: fc.oneof(fc.boolean(), fc.integer()),
        kind: fc.constantFrom('information', 'counselling', 'referral', 'x'),
        detail: fc.constantFrom('psychological', 'rescue', 'none', 'x'),
        languages: fc.array(fc.oneof(fc.constantFrom('vi', 'en'), fc.string()), { maxLength: 3 }),
        locale: fc.constantFrom('vi', 'en', 'xx', ''),
        title: fc.string({ maxLength: 90 }),
      },
      { requiredKeys: [] },
    )
    .map((v) => JSON.stringify(v)),
  fc.string({ unit: 'binary', maxLength: 40 }),
);
const query = fc
  .dictionary(
    fc.constantFrom('q', 'locale', 'from', 'to', 'channel', 'lang', 'province', 'need', 'x'),
    fc.oneof(
      fc.string({ maxLength: 20 }),
      fc.date().map((d) => String(d.getTime())),
      fc.constant('2026-01-01'),
    ),
    { maxKeys: 4 },
  )
  .map((d) => new URLSearchParams(d).toString());

const request = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      method: fc.constant('GET'),
      path: fc.tuple(fc.constantFrom(...READS), query).map(([p, q]) => `${p}?${q}`),
      body: fc.constant(undefined),
    }),
  },
  {
    weight: 7,
    arbitrary: fc
      .tuple(fc.constantFrom(...WRITES), seg, query, body)
      .map(([[method, path], id, q, b]) => ({
        method,
        path: `${path(encodeURIComponent(id))}?${q}`,
        body: method === 'DELETE' ? undefined : b,
      })),
  },
);

describe('counsellor API under hostile requests', () => {
  it(`${RUNS} random requests as a supervisor get 2xx or 4xx with a JSON error`, async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(request, async ({ method, path, body }) => {
        const res = await fetch(`${server.url}/api/console${path}`, {
          method,
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          ...(body === undefined ? {} : { body }),
        });
        const text = await res.text();
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        const where = `${method} ${path} ${body ?? ''} → ${res.status} ${text}`;
        expect(res.status < 500, where).toBe(true);
        if (res.status >= 400) {
          const error = (JSON.parse(text) as { error?: { code?: unknown; message?: unknown } })
            .error;
          expect(typeof error?.code, where).toBe('string');
          expect(typeof error?.message, where).toBe('string');
        }
      }),
      { numRuns: RUNS },
    );
    // Successes and refusals were both reached.
    const ok = [...statuses].filter(([s]) => s < 300).reduce((n, [, c]) => n + c, 0);
    expect(ok).toBeGreaterThan(RUNS / 50);
    expect(statuses.get(400) ?? 0).toBeGreaterThan(RUNS / 20);
  });
});
