import { afterEach, describe, expect, it } from 'vitest';
import type { Counsellor, Ticket } from '../../src/core/handoff-types.js';
import type { Urgency } from '../../src/core/types.js';
import { createEventBus } from '../../src/handoff/events.js';
import { createHandoff } from '../../src/handoff/handoff.js';
import { helpNextOrder, orderQueue, unservedLanguages } from '../../src/handoff/queue.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { consoleApi, signedInCounsellor } from '../support/counsellors.js';
import { startTestServer, type TestServer } from '../support/server.js';

const now = new Date(Date.UTC(2026, 10, 22, 12, 0));
function ticket(id: string, level: Urgency, locale: string, minutesAgo: number): Ticket {
  return {
    id,
    conversationId: id,
    channel: 'web',
    locale,
    level,
    signals: [],
    reason: level === 'emergency' ? 'emergency' : 'asked',
    status: 'queued',
    openedAt: new Date(now.getTime() - minutesAgo * 60_000),
  };
}
const speaker = (id: string, ...languages: string[]) => ({ id, languages });

describe('the order "help next" offers tickets in', () => {
  const lan = speaker('lan', 'vi');
  const pao = speaker('pao', 'hmn', 'vi');
  const ids = (tickets: Ticket[]) => tickets.map((t) => t.id);

  it('puts tickets in the counsellor’s languages first while a colleague online speaks the others', () => {
    const queue = orderQueue(
      [ticket('hmn', 'urgent', 'hmn', 2), ticket('vi', 'none', 'vi', 1)],
      now,
    );
    expect(ids(queue)).toEqual(['hmn', 'vi']);
    expect(ids(helpNextOrder(queue, lan, [lan, pao], now))).toEqual(['vi', 'hmn']);
    expect(ids(helpNextOrder(queue, pao, [lan, pao], now))).toEqual(['hmn', 'vi']);
  });

  it('never lets an emergency wait for a speaker', () => {
    const queue = orderQueue(
      [
        ticket('vi', 'urgent', 'vi', 3),
        ticket('km', 'emergency', 'km', 0),
        ticket('hmn', 'emergency', 'hmn', 1),
      ],
      now,
    );
    expect(ids(helpNextOrder(queue, lan, [lan, pao, speaker('sok', 'km')], now))).toEqual([
      'hmn',
      'km',
      'vi',
    ]);
  });

  it('does not hold back a ticket nobody online speaks, or one already past its target', () => {
    const queue = orderQueue(
      [ticket('hmn', 'urgent', 'hmn', 2), ticket('vi', 'none', 'vi', 1)],
      now,
    );
    expect(ids(helpNextOrder(queue, lan, [lan], now))).toEqual(['hmn', 'vi']);
    const late = orderQueue(
      [ticket('hmn', 'urgent', 'hmn', 11), ticket('vi', 'urgent', 'vi', 1)],
      now,
    );
    expect(ids(helpNextOrder(late, lan, [lan, pao], now))).toEqual(['hmn', 'vi']);
  });

  it('tells supervisors which languages wait with nobody online who speaks them', () => {
    const tickets = [
      ticket('a', 'none', 'hmn', 1),
      ticket('b', 'emergency', 'km', 1),
      ticket('c', 'none', 'vi', 1),
      { ...ticket('d', 'none', 'km', 1), status: 'claimed' as const },
    ];
    expect(unservedLanguages(tickets, [lan])).toEqual([
      { locale: 'km', waiting: 1, emergencies: 1 },
      { locale: 'hmn', waiting: 1, emergencies: 0 },
    ]);
    expect(unservedLanguages(tickets, [lan, pao]).map((u) => u.locale)).toEqual(['km']);
  });
});

describe('"help next" over a real store', () => {
  async function setUp(store: Store, online: { name: string; languages: string[] }[]) {
    const open = async (id: string, locale: string, level: Urgency) => {
      const conversation = await store.openConversation('web', id, locale);
      await store.openTicket({
        conversationId: conversation.id,
        channel: 'web',
        locale,
        level,
        signals: [],
        reason: level === 'emergency' ? 'emergency' : 'asked',
      });
    };
    await open('hmn-user', 'hmn', 'urgent');
    await open('vi-user', 'vi', 'none');
    await open('km-user', 'km', 'emergency');
    const people: Counsellor[] = [];
    for (const p of online) {
      const c = await store.createCounsellor({
        username: p.name,
        displayName: p.name,
        role: 'counsellor',
        passwordHash: 'h',
        languages: p.languages,
      });
      await store.setAvailability(c.id, true);
      people.push({ ...c, available: true });
    }
    const handoff = createHandoff({
      store,
      events: createEventBus(),
      outbound: { deliver: async () => undefined },
      texts: { joined: () => 'joined', closed: () => 'closed' },
    });
    const next = async (who: Counsellor) => {
      const r = await handoff.claimNext(who);
      return r.ok ? r.ticket.locale : r.message;
    };
    return { people, next };
  }

  it('serves an emergency in another language first, then the counsellor’s language, leaving the rest to a speaker', async () => {
    const { people, next } = await setUp(createSqliteStore(':memory:'), [
      { name: 'lan', languages: ['vi'] },
      { name: 'pao', languages: ['hmn', 'vi'] },
      { name: 'sok', languages: ['km'] },
    ]);
    const [lan, pao] = people as [Counsellor, Counsellor];
    // Sok speaks Khmer and is online, yet the emergency does not wait for her.
    expect(await next(lan)).toBe('km');
    expect(await next(lan)).toBe('vi');
    expect(await next(pao)).toBe('hmn');
  });

  it('takes the queue order when nobody online speaks the language', async () => {
    const { people, next } = await setUp(createSqliteStore(':memory:'), [
      { name: 'lan', languages: ['vi'] },
    ]);
    const [lan] = people as [Counsellor];
    expect([await next(lan), await next(lan), await next(lan)]).toEqual(['km', 'hmn', 'vi']);
  });
});

describe('counsellor languages over the console API', () => {
  let server: TestServer;
  afterEach(async () => {
    await server?.cleanup();
  });

  it('lets a counsellor set their own languages and a supervisor anyone’s, and shows unserved languages', async () => {
    server = await startTestServer();
    const sup = await signedInCounsellor(server.store, 'sup', 'supervisor');
    const lan = await signedInCounsellor(server.store, 'lan', 'counsellor');
    const asLan = consoleApi(server.url, lan.token);
    const asSup = consoleApi(server.url, sup.token);
    expect((await asLan('GET', '/locales')).body.locales).toEqual([
      { code: 'vi', name: 'Tiếng Việt' },
      { code: 'en', name: 'English' },
    ]);
    const path = (id: string) => `/counsellors/${id}/languages`;
    expect((await asLan('PUT', path(lan.id), { languages: ['vi', 'hmn'] })).body).toEqual({
      languages: ['vi', 'hmn'],
    });
    expect((await asLan('PUT', path(sup.id), { languages: ['en'] })).status).toBe(403);
    expect((await asLan('PUT', path(lan.id), { languages: ['Vietnamese'] })).status).toBe(400);
    expect((await asSup('PUT', path(sup.id), { languages: ['vi', 'en'] })).status).toBe(200);
    expect((await asSup('PUT', path('nobody'), { languages: ['vi'] })).status).toBe(404);

    await asLan('PUT', '/me/availability', { available: true });
    for (const [user, locale, level] of [
      ['a', 'km', 'emergency'],
      ['b', 'hmn', 'none'],
      ['c', 'en', 'none'],
    ] as const) {
      const conversation = await server.store.openConversation('web', user, locale);
      await server.store.openTicket({
        conversationId: conversation.id,
        channel: 'web',
        locale,
        level,
        signals: [],
        reason: 'asked',
      });
    }
    const overview = await asSup('GET', '/overview');
    expect(overview.body.unservedLanguages).toEqual([
      { locale: 'km', waiting: 1, emergencies: 1 },
      { locale: 'en', waiting: 1, emergencies: 0 },
    ]);
    const queue = await asLan('GET', '/queue');
    // The queue row carries each ticket's language (opened the same millisecond: order aside).
    expect(queue.body.queued.map((t: Ticket) => t.locale).sort()).toEqual(['en', 'hmn', 'km']);
  });
});
