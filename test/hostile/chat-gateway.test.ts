import fc from 'fast-check';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatAck } from '../../src/server/chat-gateway.js';
import { connectChat, startTestServer, type TestServer } from '../support/server.js';
import { junk } from './arbitraries.js';

/**
 * The widget's socket events with random payloads, over a real Socket.IO
 * connection: 600 runs per event (each may be a real turn; the in-process
 * parser properties run 10,000). Every ack is a reply or a clear error code,
 * never server_error, and the socket stays connected.
 */
const RUNS = 600;
const CODES = ['bad_request', 'too_long', 'rate_limited'];

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.cleanup();
});

const idish = fc.oneof(fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/), fc.string({ maxLength: 70 }));
const payloads: Record<string, fc.Arbitrary<unknown>> = {
  message: fc.oneof(
    fc.anything({ maxDepth: 2 }),
    fc.record(
      {
        id: fc.oneof({ weight: 6, arbitrary: idish }, { weight: 1, arbitrary: junk }),
        text: fc.oneof(
          { weight: 6, arbitrary: fc.string({ maxLength: 300 }) },
          { weight: 1, arbitrary: fc.string({ minLength: 2001, maxLength: 2100 }) },
          { weight: 1, arbitrary: junk },
        ),
      },
      { requiredKeys: [] },
    ),
  ),
  choice: fc.oneof(
    fc.anything({ maxDepth: 2 }),
    fc.record(
      {
        id: fc.oneof({ weight: 6, arbitrary: idish }, { weight: 1, arbitrary: junk }),
        payload: fc.oneof(
          fc.constantFrom('cmd:menu', 'cmd:lang:en', 'more:debt-bondage', 'topic:nope', 'flow:x'),
          fc.string({ maxLength: 210 }),
          junk,
        ),
        label: fc.oneof(fc.string({ maxLength: 310 }), junk),
      },
      { requiredKeys: [] },
    ),
  ),
};

describe('widget socket events under hostile payloads', () => {
  for (const [event, arbitrary] of Object.entries(payloads)) {
    it(`'${event}': ${RUNS} random payloads get a reply or a clear error`, async () => {
      let socket: Socket | undefined;
      let sent = 0;
      const codes = new Map<string, number>();
      try {
        await fc.assert(
          fc.asyncProperty(arbitrary, async (payload) => {
            // A fresh tab every 15 events, so turns run and not only the per-socket limiter.
            if (!socket || sent++ % 15 === 0) {
              socket?.disconnect();
              socket = connectChat(server.url, `hostile-${event}-${sent}-xxxxxxxxxxxx`);
              await new Promise((r) => socket?.once('connect', () => r(undefined)));
            }
            const ack: ChatAck = await socket.timeout(10_000).emitWithAck(event, payload);
            const key = ack.ok ? 'ok' : ack.error.code;
            codes.set(key, (codes.get(key) ?? 0) + 1);
            if (!ack.ok) {
              expect(CODES, JSON.stringify(ack)).toContain(ack.error.code);
              expect(typeof ack.error.message).toBe('string');
            } else expect(Array.isArray(ack.replies)).toBe(true);
            expect(socket.connected).toBe(true);
          }),
          { numRuns: RUNS },
        );
      } finally {
        socket?.disconnect();
      }
      // Both sides were reached: real turns and refusals.
      expect(codes.get('ok') ?? 0).toBeGreaterThan(RUNS / 20);
      expect(codes.get('bad_request') ?? 0).toBeGreaterThan(RUNS / 20);
    });
  }
});
