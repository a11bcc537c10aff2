import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { Ticket } from '../../src/core/handoff-types.js';
import { startQueueAlerts } from '../../src/handoff/alerts.js';
import { createEventBus } from '../../src/handoff/events.js';
import { parseOpeningHours } from '../../src/handoff/opening-hours.js';
import { expectedWaitMinutes, orderQueue } from '../../src/handoff/queue.js';
import { assembleEngine } from '../../src/load-content.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { content, conversation } from '../support/conversation.js';

const at = (minutesAgo: number) => new Date(Date.UTC(2026, 10, 22, 12, 0) - minutesAgo * 60_000);
const now = at(0);
function ticket(id: string, level: Ticket['level'], minutesAgo: number): Ticket {
  return {
    id,
    conversationId: id,
    channel: 'web',
    locale: 'vi',
    level,
    signals: [],
    reason: 'asked',
    status: 'queued',
    openedAt: at(minutesAgo),
  };
}

describe('queue order', () => {
  it('puts priority first and waiting time second', () => {
    const order = orderQueue(
      [
        ticket('q1', 'none', 5),
        ticket('u1', 'urgent', 1),
        ticket('e1', 'emergency', 0),
        ticket('u2', 'urgent', 3),
      ],
      now,
    );
    expect(order.map((t) => t.id)).toEqual(['e1', 'u2', 'u1', 'q1']);
  });

  it('ages tickets so a long wait passes a fresh urgent one, but never an emergency', () => {
    const order = orderQueue(
      [ticket('old', 'none', 40), ticket('fresh', 'urgent', 1), ticket('e', 'emergency', 0)],
      now,
    );
    expect(order.map((t) => t.id)).toEqual(['e', 'old', 'fresh']);
  });

  it('leaves claimed and closed tickets out', () => {
    const claimed = { ...ticket('c', 'emergency', 1), status: 'claimed' as const };
    expect(orderQueue([claimed, ticket('q', 'none', 1)], now).map((t) => t.id)).toEqual(['q']);
  });

  it('estimates the wait from the place in the queue and the counsellors online', () => {
    expect(expectedWaitMinutes(1, 1)).toBe(10);
    expect(expectedWaitMinutes(3, 2)).toBe(15);
    expect(expectedWaitMinutes(1, 0)).toBe(10);
  });
});

describe('a person waiting', () => {
  it('is told the place in the queue, may keep reading answers, and may cancel', async () => {
    const c = conversation();
    await c.store.setAvailability(
      (
        await c.store.createCounsellor({
          username: 'x',
          displayName: 'X',
          role: 'counsellor',
          passwordHash: 'h',
          languages: ['vi'],
        })
      ).id,
      true,
    );
    const asked = await c.say('cho em gặp tư vấn viên');
    const place = asked.replies.find((r) => /vị trí số 1/.test(r.text));
    expect(place?.choices?.[0]?.payload).toBe('cmd:cancel');
    // Then, once, the optional and skippable profile question.
    expect(asked.replies.at(-1)?.choices?.at(-1)?.payload).toBe('profile:skip');
    const meanwhile = await c.say('làm sao kiểm tra công ty xuất khẩu lao động');
    expect(meanwhile.replies[0]?.topicId).toBe('verify-recruitment-agency');
    await c.press('cmd:cancel');
    expect(await c.store.openTicketFor(asked.conversationId)).toBeUndefined();
    expect((await c.store.getConversation(asked.conversationId))?.state).toBe('bot');
  });
});

describe('queue alerts', () => {
  it('posts an overdue emergency to the webhook once, with no message text', async () => {
    const received: string[] = [];
    const hook = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => {
        body += d;
      });
      req.on('end', () => {
        received.push(body);
        res.end('ok');
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    const store = createSqliteStore(':memory:');
    const conv = await store.openConversation('web', 'late', 'vi');
    await store.appendMessage({ conversationId: conv.id, direction: 'in', text: 'bí mật' });
    await store.openTicket({
      conversationId: conv.id,
      channel: 'web',
      locale: 'vi',
      level: 'emergency',
      signals: [],
      reason: 'emergency',
    });
    const events = createEventBus();
    const overdue: string[] = [];
    events.on('ticket.overdue', ({ ticket }) => overdue.push(ticket.id));
    let clock = new Date();
    const stop = startQueueAlerts({
      store,
      events,
      logger: pino({ level: 'silent' }),
      settings: {
        ageingMinutesPerLevel: 15,
        targetSeconds: { emergency: 120, urgent: 600, none: 1800 },
      },
      webhookUrl: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/alert`,
      intervalMs: 20,
      now: () => clock,
    });
    await new Promise((r) => setTimeout(r, 80));
    expect(received).toEqual([]);
    clock = new Date(Date.now() + 121_000);
    await expect.poll(() => received.length).toBe(1);
    await new Promise((r) => setTimeout(r, 80));
    stop();
    hook.close();
    await store.close();
    expect(received).toHaveLength(1);
    expect(overdue).toHaveLength(1);
    expect(JSON.parse(received[0] as string)).toMatchObject({
      event: 'ticket.overdue',
      level: 'emergency',
    });
    expect(received[0]).not.toContain('bí mật');
  });
});

describe('opening hours', () => {
  it('knows when counsellors answer, in Vietnam time, including ranges past midnight', () => {
    const day = parseOpeningHours('08:00-22:00', 'Asia/Ho_Chi_Minh');
    expect(day.open(new Date('2026-11-22T01:00:00Z'))).toBe(true); // 08:00 in Hanoi
    expect(day.open(new Date('2026-11-22T00:59:00Z'))).toBe(false); // 07:59
    expect(day.open(new Date('2026-11-22T15:00:00Z'))).toBe(false); // 22:00
    const night = parseOpeningHours('22:00-06:00', 'Asia/Ho_Chi_Minh');
    expect(night.open(new Date('2026-11-22T16:00:00Z'))).toBe(true); // 23:00
    expect(night.open(new Date('2026-11-22T05:00:00Z'))).toBe(false); // 12:00
    expect(parseOpeningHours('00:00-24:00', 'Asia/Ho_Chi_Minh').open(new Date())).toBe(true);
    expect(() => parseOpeningHours('8-22', 'Asia/Ho_Chi_Minh')).toThrow(/08:00-22:00/);
  });

  it('tells a person outside the hours when counsellors answer, with 111', async () => {
    const store = createSqliteStore(':memory:');
    const closedNow = parseOpeningHours(
      (() => {
        const h = Number(
          new Intl.DateTimeFormat('en-GB', {
            timeZone: 'Asia/Ho_Chi_Minh',
            hour: '2-digit',
            hourCycle: 'h23',
          }).format(new Date()),
        );
        const from = String((h + 2) % 24).padStart(2, '0');
        const to = String((h + 3) % 24).padStart(2, '0');
        return `${from}:00-${to}:00`;
      })(),
      'Asia/Ho_Chi_Minh',
    );
    const c = conversation({
      store,
      assembled: assembleEngine({ store, content: content(), hours: closedNow }),
    });
    const r = await c.say('cho em gặp tư vấn viên');
    expect(r.replies.at(-1)?.text).toMatch(new RegExp(`từ ${closedNow.label}.*111`, 's'));
    expect(await store.openTicketFor(r.conversationId)).toBeDefined();
  });
});
