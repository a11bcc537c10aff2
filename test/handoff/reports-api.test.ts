import { afterEach, describe, expect, it } from 'vitest';
import { consoleApi, signedInCounsellor } from '../support/counsellors.js';
import { connectChat, nextEvent, startTestServer, type TestServer } from '../support/server.js';

const OUTCOMES = [
  ['information', 'none'],
  ['counselling', 'psychological'],
  ['counselling', 'policy'],
  ['referral', 'rescue'],
] as const;

/** A counsellor on duty (so a person asking for one is queued as "on the way") and a supervisor. */
async function staff(server: TestServer) {
  const lanUser = await signedInCounsellor(server.store, 'lan');
  await server.store.setAvailability(lanUser.id, true);
  return {
    lan: consoleApi(server.url, lanUser.token),
    sup: consoleApi(
      server.url,
      (await signedInCounsellor(server.store, 'sup', 'supervisor')).token,
    ),
  };
}

describe('reports', () => {
  let server: TestServer;
  afterEach(async () => {
    await server?.cleanup();
  });

  it('produces every table from a seeded period, with sums that match the seed, and CSV', async () => {
    server = await startTestServer();
    const sup = consoleApi(
      server.url,
      (await signedInCounsellor(server.store, 'sup', 'supervisor')).token,
    );
    const lan = consoleApi(server.url, (await signedInCounsellor(server.store, 'lan')).token);
    // A seeded November: 200 closed cases and 1,000 answered turns, spread over channels.
    const seed = {
      outcomes: new Map<string, number>(),
      regions: new Map<string, number>(),
      waits: [] as number[],
    };
    for (let i = 0; i < 200; i++) {
      const [outcome, detail] = OUTCOMES[i % OUTCOMES.length] as (typeof OUTCOMES)[number];
      const region =
        i % 3 === 0 ? 'northern-mountains' : i % 3 === 1 ? 'red-river-delta' : 'mekong-delta';
      seed.outcomes.set(outcome, (seed.outcomes.get(outcome) ?? 0) + 1);
      seed.regions.set(region, (seed.regions.get(region) ?? 0) + 1);
      seed.waits.push(i);
      await server.store.recordEvent({
        at: new Date(Date.UTC(2026, 10, 1 + (i % 28), 10)),
        channel: i % 2 ? 'web' : 'zalo',
        kind: 'ticket',
        outcome,
        detail,
        region,
        waitSeconds: i,
      });
    }
    for (let i = 0; i < 1000; i++) {
      await server.store.recordEvent({
        at: new Date(Date.UTC(2026, 10, 1 + (i % 28), 9)),
        channel: 'web',
        kind: 'turn',
        intent: i % 10 ? 'answer' : 'fallback',
        ...(i % 10 ? { topic: i % 2 ? 'hotline-111' : 'fake-job-offers' } : {}),
      });
    }
    // Outside the period: must not count.
    await server.store.recordEvent({
      at: new Date(Date.UTC(2026, 11, 5)),
      channel: 'web',
      kind: 'ticket',
      outcome: 'information',
      detail: 'none',
    });

    expect((await lan('GET', '/reports?from=2026-11-01&to=2026-11-30')).status).toBe(403);
    expect((await sup('GET', '/reports?from=2026-11-30&to=2026-11-01')).status).toBe(400);
    const { status, body } = await sup('GET', '/reports?from=2026-11-01&to=2026-11-30');
    expect(status).toBe(200);
    const asMap = (rows: { key: string; count: number }[]) =>
      new Map(rows.map((r) => [r.key, r.count]));
    expect(asMap(body.tables.outcomes)).toEqual(seed.outcomes);
    expect(asMap(body.tables.regions)).toEqual(seed.regions);
    expect(asMap(body.tables.intents)).toEqual(
      new Map([
        ['answer', 900],
        ['fallback', 100],
      ]),
    );
    expect(body.tables.topics.reduce((s: number, r: { count: number }) => s + r.count, 0)).toBe(
      1000,
    );
    expect(body.wait).toEqual({ cases: 200, medianSeconds: 100, p90Seconds: 180 });
    const web = await sup('GET', '/reports?from=2026-11-01&to=2026-11-30&channel=zalo');
    expect(
      web.body.tables.outcomes.reduce((s: number, r: { count: number }) => s + r.count, 0),
    ).toBe(100);

    const csv = await fetch(
      `${server.url}/api/console/reports/outcomes.csv?from=2026-11-01&to=2026-11-30`,
      {
        headers: {
          authorization: `Bearer ${(await signedInCounsellor(server.store, 'sup2', 'supervisor')).token}`,
        },
      },
    );
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    const lines = (await csv.text()).trim().split('\n');
    expect(lines[0]).toBe('outcome,label,count');
    expect(
      lines
        .slice(1)
        .map((l) => Number(l.split(',')[2]))
        .reduce((a, b) => a + b),
    ).toBe(200);
    // Topics carry their article's title in the console's language, ids stay for the record.
    const en = await sup('GET', '/reports?from=2026-11-01&to=2026-11-30&lang=en');
    const hotline = en.body.tables.topics.find((r: { key: string }) => r.key === 'hotline-111');
    expect(hotline.label).toMatch(/111/);
    expect(hotline.label).not.toBe('hotline-111');
  });

  it('counts a real closed case with its region, and a turn per message, with no text in either', async () => {
    server = await startTestServer();
    const { lan, sup } = await staff(server);
    const socket = connectChat(server.url, 'session-report-00000000');
    await nextEvent(socket, 'history');
    await socket.emitWithAck('message', { id: 'r1', text: 'cho em gặp tư vấn viên' });
    const { body } = await lan('POST', '/queue/next');
    await lan('POST', `/tickets/${body.ticket.id}/close`, {
      kind: 'referral',
      detail: 'support',
      agency: 'Hội Phụ nữ',
      profile: { callerType: 'self', gender: 'female', province: 'Hà Giang' },
    });
    const today = new Date().toISOString().slice(0, 10);
    const report = (await sup('GET', `/reports?from=${today}&to=${today}`)).body;
    expect(report.tables.regions).toEqual([{ key: 'northern-mountains', count: 1 }]);
    expect(report.tables['caller-types']).toEqual([{ key: 'self', count: 1 }]);
    expect(report.tables.intents).toEqual([{ key: 'handoff', count: 1 }]);
    expect(JSON.stringify(report)).not.toContain('tư vấn viên');
    socket.close();
  });

  it('lists unanswered questions grouped for content editors, without personal data', async () => {
    server = await startTestServer();
    const sup = consoleApi(
      server.url,
      (await signedInCounsellor(server.store, 'editor', 'supervisor')).token,
    );
    const lan = consoleApi(server.url, (await signedInCounsellor(server.store, 'lan')).token);
    const asked = [
      'cách nấu phở bò ngon nhất',
      'nấu phở bò thế nào cho ngon, số em 0912345678',
      'công thức nấu phở bò',
      'giá vàng hôm nay bao nhiêu',
    ];
    for (const [i, text] of asked.entries()) {
      await server.engine.handle({
        channel: 'web',
        userId: `gap-${i}`,
        messageId: `gap-${i}`,
        text,
        receivedAt: new Date(),
      });
    }
    const today = new Date().toISOString().slice(0, 10);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    expect((await lan('GET', `/reports/gaps?from=${today}&to=${tomorrow}`)).status).toBe(403);
    const { status, body } = await sup('GET', `/reports/gaps?from=${today}&to=${tomorrow}`);
    expect(status).toBe(200);
    expect(body.total).toBe(4);
    const pho = body.groups[0];
    expect(pho.count).toBe(3);
    expect(pho.terms).toEqual(expect.arrayContaining(['nau', 'pho', 'bo']));
    expect(JSON.stringify(body)).not.toContain('0912345678');
    expect(pho.examples.join(' ')).toContain('[phone]');
    expect(body.groups[1].count).toBe(1);
  });

  it('offers the optional profile once when a person asks for a counsellor, and counts it at close', async () => {
    server = await startTestServer();
    const { lan, sup } = await staff(server);
    let n = 0;
    const say = (text: string, choice?: string) =>
      server.engine.handle({
        channel: 'web',
        userId: 'profiled',
        messageId: `p-${n++}`,
        text,
        ...(choice ? { choice } : {}),
        receivedAt: new Date(),
      });
    const asked = await say('cho mình nói chuyện với tư vấn viên');
    const question = asked.replies.at(-1);
    expect(question?.choices?.map((c) => c.payload)).toEqual([
      'profile:caller:self',
      'profile:caller:relative-or-friend',
      'profile:caller:other',
      'profile:skip',
    ]);
    const province = await say('', 'profile:caller:relative-or-friend');
    expect(province.replies[0]?.choices?.map((c) => c.payload)).toEqual(['profile:skip']);
    // A former province name is understood; the reply thanks and asks nothing more.
    const thanks = await say('Yên Bái');
    expect(thanks.replies).toHaveLength(1);
    expect(thanks.replies[0]?.choices ?? []).toEqual([]);
    // Asking again does not ask the profile again.
    const again = await say('cho mình nói chuyện với tư vấn viên');
    expect(
      again.replies.some((r) => r.choices?.some((c) => c.payload.startsWith('profile:'))),
    ).toBe(false);

    const next = await lan('POST', '/queue/next');
    expect(next.status).toBe(200);
    const closed = await lan('POST', `/tickets/${next.body.ticket.id}/close`, {
      kind: 'information',
      detail: 'none',
    });
    expect(closed.status).toBe(200);
    const today = new Date().toISOString().slice(0, 10);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const { body } = await sup('GET', `/reports?from=${today}&to=${tomorrow}`);
    expect(body.tables['caller-types']).toEqual([{ key: 'relative-or-friend', count: 1 }]);
    expect(body.tables.regions.map((r: { key: string }) => r.key)).toEqual(['northern-mountains']);
  });
});
