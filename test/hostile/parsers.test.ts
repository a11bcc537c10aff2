import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { activityEvents, parseActivity } from '../../src/bots/botframework/botframework-events.js';
import type { ChannelEvent } from '../../src/bots/channel.js';
import { parseLineBody } from '../../src/bots/line/line-events.js';
import { parseMessengerBody } from '../../src/bots/messenger/messenger-events.js';
import { parseZaloBody } from '../../src/bots/zalo/zalo-events.js';
import {
  activityBody,
  eventProblem,
  lineBody,
  messengerBody,
  viaJson,
  zaloBody,
} from './arbitraries.js';

/**
 * Every webhook parser, in process, 10,000 random and malformed bodies each
 * (the over-HTTP properties in webhooks.test.ts run fewer, because each case is
 * a real request). A parser may throw (the webhook answers 400) or return
 * events the engine can use: a user id, a message id, a real date, text that is
 * a string. Anything else (an event missing its ids, an Invalid Date, a number
 * where text belongs) would be accepted with a 200 and break later in the turn.
 */
const RUNS = 10_000;

const PARSERS: [string, fc.Arbitrary<unknown>, (body: unknown) => ChannelEvent[]][] = [
  ['Messenger', messengerBody, (b) => parseMessengerBody(b, 'GET_STARTED')],
  ['LINE', lineBody, parseLineBody],
  ['Zalo', zaloBody, (b) => parseZaloBody(b, '#')],
  ['Bot Framework', activityBody, (b) => activityEvents(parseActivity(b))],
];

describe('webhook parsers under hostile bodies', () => {
  for (const [name, bodies, parse] of PARSERS) {
    it(`${name}: throws or returns usable events, for ${RUNS} bodies`, () => {
      let accepted = 0;
      fc.assert(
        fc.property(bodies, (raw) => {
          const body = viaJson(raw);
          let events: ChannelEvent[];
          try {
            events = parse(body);
          } catch {
            return; // the webhook answers 400
          }
          expect(Array.isArray(events)).toBe(true);
          for (const e of events) expect(eventProblem(e), JSON.stringify(e)).toBe('');
          accepted += events.length;
        }),
        { numRuns: RUNS },
      );
      // The generators must reach the parsers' happy paths too, or the property proves little.
      expect(accepted).toBeGreaterThan(RUNS / 100);
    });
  }
});
