import { describe, expect, it } from 'vitest';
import { type StoreFactory, useStore } from './fixture.js';

/**
 * What every Store adapter must do. An adapter's test calls this with a
 * factory; `reopen` returns a new store over the same data (a restart).
 */
export function runStoreContract(name: string, make: StoreFactory): void {
  describe(`Store contract: ${name}`, () => {
    const f = useStore(make);

    it('opens one conversation per channel and person, and finds it again', async () => {
      const a = await f.store.openConversation('web', 'u1', 'vi');
      const again = await f.store.openConversation('web', 'u1', 'en');
      const other = await f.store.openConversation('zalo', 'u1', 'vi');
      expect(again.id).toBe(a.id);
      expect(again.locale).toBe('vi');
      expect(other.id).not.toBe(a.id);
      expect(a).toMatchObject({ state: 'bot', urgency: 'none', context: {} });
      expect((await f.store.findConversation('web', 'u1'))?.id).toBe(a.id);
      expect(await f.store.findConversation('web', 'nobody')).toBeUndefined();
    });

    it('opening the same new conversation at once yields one conversation', async () => {
      const opened = await Promise.all(
        Array.from({ length: 20 }, () => f.store.openConversation('web', 'race', 'vi')),
      );
      expect(new Set(opened.map((c) => c.id)).size).toBe(1);
    });

    it('updates locale, state, urgency and context', async () => {
      const c = await f.store.openConversation('web', 'u2', 'vi');
      const updated = await f.store.updateConversation(c.id, {
        locale: 'en',
        urgency: 'urgent',
        context: { lastTopic: 'hotline-111', localeChosen: true },
      });
      expect(updated).toMatchObject({ locale: 'en', urgency: 'urgent', state: 'bot' });
      const read = await f.store.getConversation(c.id);
      expect(read?.context).toEqual({ lastTopic: 'hotline-111', localeChosen: true });
      expect(read?.updatedAt.getTime()).toBeGreaterThanOrEqual(c.updatedAt.getTime());
    });

    it('rejects an update of a conversation that does not exist', async () => {
      await expect(f.store.updateConversation('missing', { locale: 'en' })).rejects.toThrow();
    });

    it('keeps the transcript in order, with replies and choices intact', async () => {
      const c = await f.store.openConversation('web', 'u3', 'vi');
      await f.store.appendMessage({ conversationId: c.id, direction: 'in', text: 'xin chào' });
      await f.store.appendMessage({
        conversationId: c.id,
        direction: 'out',
        text: 'Chào bạn',
        reply: {
          text: 'Chào bạn',
          choices: [{ label: '111 là gì', payload: 'topic:hotline-111' }],
        },
      });
      await f.store.appendMessage({
        conversationId: c.id,
        direction: 'in',
        text: '111 là gì',
        choice: 'topic:hotline-111',
      });
      const messages = await f.store.listMessages(c.id);
      expect(messages.map((m) => m.text)).toEqual(['xin chào', 'Chào bạn', '111 là gì']);
      expect(messages[1]?.reply?.choices?.[0]?.payload).toBe('topic:hotline-111');
      expect(messages[2]?.choice).toBe('topic:hotline-111');
      const lastTwo = await f.store.listMessages(c.id, 2);
      expect(lastTwo.map((m) => m.text)).toEqual(['Chào bạn', '111 là gì']);
    });

    it('stores Vietnamese text exactly, in any normal form', async () => {
      const c = await f.store.openConversation('web', 'u4', 'vi');
      const nfd = 'Tiếng Việt có dấu'.normalize('NFD');
      await f.store.appendMessage({ conversationId: c.id, direction: 'in', text: nfd });
      expect((await f.store.listMessages(c.id))[0]?.text).toBe(nfd);
    });

    it('marks a platform message id once, even when deliveries overlap', async () => {
      const results = await Promise.all(
        Array.from({ length: 10 }, () => f.store.markProcessed('zalo', 'm-1')),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await f.store.markProcessed('zalo', 'm-1')).toBe(false);
      expect(await f.store.markProcessed('line', 'm-1')).toBe(true);
    });

    it('deletes a conversation with its transcript', async () => {
      const c = await f.store.openConversation('web', 'u5', 'vi');
      await f.store.appendMessage({ conversationId: c.id, direction: 'in', text: 'xóa giúp em' });
      await f.store.deleteConversation(c.id);
      expect(await f.store.getConversation(c.id)).toBeUndefined();
      expect(await f.store.listMessages(c.id)).toEqual([]);
      const fresh = await f.store.openConversation('web', 'u5', 'vi');
      expect(fresh.id).not.toBe(c.id);
    });

    it('purges conversations idle past the retention period, except those kept for follow-up', async () => {
      const idle = await f.store.openConversation('web', 'idle', 'vi');
      const kept = await f.store.openConversation('web', 'kept', 'vi');
      await f.store.appendMessage({ conversationId: idle.id, direction: 'in', text: 'cũ' });
      await f.store.setFollowUp(kept.id, true);
      await new Promise((r) => setTimeout(r, 20));
      const cutoff = new Date();
      await new Promise((r) => setTimeout(r, 20));
      const active = await f.store.openConversation('web', 'active', 'vi');
      expect(await f.store.purgeIdleConversations(cutoff)).toBe(1);
      expect(await f.store.getConversation(idle.id)).toBeUndefined();
      expect(await f.store.listMessages(idle.id)).toEqual([]);
      expect((await f.store.getConversation(kept.id))?.followUp).toBe(true);
      expect(await f.store.getConversation(active.id)).toBeDefined();
    });

    it('keeps every conversation and message across a restart', async () => {
      const c = await f.store.openConversation('web', 'u6', 'en');
      await f.store.updateConversation(c.id, { context: { lastTopic: 'in-danger-now' } });
      await f.store.appendMessage({ conversationId: c.id, direction: 'in', text: 'help' });
      await f.store.markProcessed('web', 'restart-1');
      await f.store.close();
      f.store = await f.reopen();
      const again = await f.store.openConversation('web', 'u6', 'vi');
      expect(again.id).toBe(c.id);
      expect(again.context.lastTopic).toBe('in-danger-now');
      expect((await f.store.listMessages(c.id)).map((m) => m.text)).toEqual(['help']);
      expect(await f.store.markProcessed('web', 'restart-1')).toBe(false);
    });

    it('gives a lock to one holder at a time, and lets an expired lease be taken over', async () => {
      const tokens = await Promise.all(
        Array.from({ length: 10 }, () => f.store.acquireLock('turn:a', 60_000)),
      );
      const held = tokens.filter((t): t is string => t !== undefined);
      expect(held).toHaveLength(1);
      expect(await f.store.acquireLock('turn:b', 60_000)).toBeDefined();
      await f.store.releaseLock('turn:a', 'not-the-token');
      expect(await f.store.acquireLock('turn:a', 60_000)).toBeUndefined();
      await f.store.releaseLock('turn:a', held[0] as string);
      const short = await f.store.acquireLock('turn:a', 30);
      expect(short).toBeDefined();
      await new Promise((r) => setTimeout(r, 60));
      expect(await f.store.acquireLock('turn:a', 60_000)).toBeDefined();
    });

    it('keeps a named data set, replacing it whole', async () => {
      expect(await f.store.getDataset('licensed-companies')).toBeUndefined();
      await f.store.putDataset('licensed-companies', { date: '2026-11-01', rows: [{ name: 'A' }] });
      await f.store.putDataset('licensed-companies', {
        date: '2026-11-22',
        rows: [{ name: 'B' }, { name: 'Cty Đức' }],
      });
      const got = await f.store.getDataset('licensed-companies');
      expect(got?.value).toEqual({
        date: '2026-11-22',
        rows: [{ name: 'B' }, { name: 'Cty Đức' }],
      });
      expect(got?.updatedAt).toBeInstanceOf(Date);
    });

    it('takes simultaneous first writes to a new counter (transcript order, a day of reports) without refusing any', async () => {
      // Each write creates the counter if it is missing: all but one lose that race, and must
      // still succeed (FerretDB refused them with E11000, failing the turns). Exact report
      // counts are not asserted here: FerretDB 1.24 can lose simultaneous $inc.
      const c = await f.store.openConversation('web', 'u-burst', 'vi');
      const texts = Array.from({ length: 8 }, (_, i) => `m${i}`);
      await Promise.all(
        texts.map((text) => f.store.appendMessage({ conversationId: c.id, direction: 'in', text })),
      );
      expect((await f.store.listMessages(c.id)).map((m) => m.text).sort()).toEqual(texts);
      const at = new Date(Date.UTC(2026, 10, 5, 12));
      const event = {
        at,
        channel: 'web',
        kind: 'turn' as const,
        intent: 'menu',
        urgency: 'none' as const,
        locale: 'vi',
      };
      await Promise.all(texts.map(() => f.store.recordEvent(event)));
      const q = { from: at, to: new Date(Date.UTC(2026, 10, 6)), kind: 'turn' as const };
      expect((await f.store.countEvents(q, 'intent'))[0]?.key).toBe('menu');
    });

    it('counts report events by field in a period and channel, and lists wait times', async () => {
      const day = (d: number) => new Date(Date.UTC(2026, 10, d, 12));
      const turn = (d: number, intent: string, topic: string | undefined, channel = 'web') =>
        f.store.recordEvent({
          at: day(d),
          channel,
          kind: 'turn',
          intent,
          ...(topic ? { topic } : {}),
          urgency: 'none',
          locale: 'vi',
        });
      await turn(1, 'answer', 'hotline-111');
      await turn(2, 'answer', 'hotline-111');
      await turn(2, 'answer', 'fake-job-offers', 'zalo');
      await turn(3, 'fallback', undefined);
      await turn(20, 'answer', 'hotline-111');
      await f.store.recordEvent({
        at: day(2),
        channel: 'web',
        kind: 'ticket',
        outcome: 'referral',
        detail: 'rescue',
        region: 'northern-mountains',
        waitSeconds: 30,
      });
      await f.store.recordEvent({
        at: day(3),
        channel: 'web',
        kind: 'ticket',
        outcome: 'information',
        detail: 'none',
        waitSeconds: 90,
      });
      const q = { from: day(1), to: day(10), kind: 'turn' as const };
      expect(await f.store.countEvents(q, 'topic')).toEqual([
        { key: 'hotline-111', count: 2 },
        { key: '(none)', count: 1 },
        { key: 'fake-job-offers', count: 1 },
      ]);
      expect(await f.store.countEvents({ ...q, channel: 'web' }, 'intent')).toEqual([
        { key: 'answer', count: 2 },
        { key: 'fallback', count: 1 },
      ]);
      // Every field at once, in one query, gives the same tables.
      const all = await f.store.countAllEvents(q);
      expect(all.topic).toEqual(await f.store.countEvents(q, 'topic'));
      expect(all.intent).toEqual(await f.store.countEvents(q, 'intent'));
      expect(Object.keys(all).length).toBeGreaterThan(2);
      const tickets = { from: day(1), to: day(10), kind: 'ticket' as const };
      expect(
        (await f.store.countEvents(tickets, 'outcome')).map((r) => r.count).reduce((a, b) => a + b),
      ).toBe(2);
      expect((await f.store.waitTimes(tickets)).sort((a, b) => a - b)).toEqual([30, 90]);
    });

    it('keeps outbox items in order across a restart, once per id, and keeps only what failed', async () => {
      const c = await f.store.openConversation('messenger', 'psid-1', 'vi');
      const at = new Date('2026-05-01T10:00:00Z');
      const item = (id: string, seq: number, text: string) => ({
        id,
        channel: 'messenger',
        conversationId: c.id,
        userId: 'psid-1',
        seq,
        payload: { message: { text } },
        meta: { human: false },
        createdAt: at,
        expiresAt: new Date(at.getTime() + 86_400_000),
      });
      await f.store.enqueueOutbox([item('t1:0', 0, 'một'), item('t1:1', 1, 'hai')]);
      // A redelivered turn enqueues the same ids again: nothing doubles.
      await f.store.enqueueOutbox([item('t1:0', 0, 'một'), item('t1:1', 1, 'hai')]);
      await f.store.close();
      f.store = await f.reopen();
      const pending = await f.store.pendingOutbox(10);
      expect(pending.map((p) => [p.id, p.payload])).toEqual([
        ['t1:0', { message: { text: 'một' } }],
        ['t1:1', { message: { text: 'hai' } }],
      ]);
      expect(pending[0]).toMatchObject({ status: 'pending', attempts: 0, meta: { human: false } });
      expect(await f.store.pendingOutbox(10, 'another-conversation')).toEqual([]);
      expect((await f.store.pendingOutbox(1, c.id)).map((p) => p.id)).toEqual(['t1:0']);

      const later = new Date(at.getTime() + 5000);
      await f.store.retryOutbox('t1:0', 1, later, 'messenger 503');
      expect((await f.store.pendingOutbox(10))[0]).toMatchObject({
        id: 't1:0',
        attempts: 1,
        nextAttemptAt: later,
        error: 'messenger 503',
      });
      await f.store.settleOutbox('t1:0', 'sent');
      await f.store.settleOutbox('t1:1', 'failed', 'blocked');
      expect(await f.store.pendingOutbox(10)).toEqual([]);
      const problems = await f.store.undelivered(c.id);
      expect(problems.map((p) => [p.id, p.status, p.error])).toEqual([
        ['t1:1', 'failed', 'blocked'],
      ]);
      // Deleting the conversation takes its outbox with it.
      await f.store.deleteConversation(c.id);
      expect(await f.store.undelivered(c.id)).toEqual([]);
    });

    it('keeps unanswered questions for the review list, in a period, until retention', async () => {
      const at = (d: number) => new Date(Date.UTC(2026, 4, d, 12));
      await f.store.recordGap({ at: at(2), locale: 'vi', channel: 'web', text: 'visa du học Úc' });
      await f.store.recordGap({ at: at(5), locale: 'en', channel: 'line', text: 'visa for Japan' });
      expect(
        (await f.store.listGaps(at(1), at(10))).map((g) => [g.text, g.locale, g.channel]),
      ).toEqual([
        ['visa du học Úc', 'vi', 'web'],
        ['visa for Japan', 'en', 'line'],
      ]);
      expect(await f.store.listGaps(at(3), at(4))).toEqual([]);
      await f.store.purgeIdleConversations(at(3));
      expect((await f.store.listGaps(at(1), at(10))).map((g) => g.text)).toEqual([
        'visa for Japan',
      ]);
    });

    it('keeps inbox entries once each, across a restart, until deleted', async () => {
      const at = new Date('2026-05-01T10:00:00Z');
      const entry = (id: string, ms: number) => ({
        id,
        channel: 'messenger',
        event: { type: 'message', userId: 'psid', text: 'cứu em' },
        receivedAt: new Date(at.getTime() + ms),
      });
      await f.store.putInbox([entry('m:2', 2000), entry('m:1', 1000)]);
      await f.store.putInbox([entry('m:1', 1000)]);
      await f.store.close();
      f.store = await f.reopen();
      const listed = await f.store.listInbox(new Date(at.getTime() + 5000), 10);
      expect(listed.map((e) => e.id)).toEqual(['m:1', 'm:2']);
      expect(listed[0]?.event).toEqual({ type: 'message', userId: 'psid', text: 'cứu em' });
      expect(await f.store.listInbox(new Date(at.getTime() + 1500), 10)).toHaveLength(1);
      await f.store.deleteInbox('m:1');
      expect((await f.store.listInbox(new Date(at.getTime() + 5000), 10)).map((e) => e.id)).toEqual(
        ['m:2'],
      );
    });

    it('settles a turn with its replies in one step: marked processed, inbox entry gone, items due', async () => {
      const c = await f.store.openConversation('messenger', 'psid-done', 'vi');
      const at = new Date('2026-05-01T10:00:00Z');
      await f.store.putInbox([
        { id: 'messenger:message:mid.7', channel: 'messenger', event: {}, receivedAt: at },
      ]);
      expect(await f.store.isProcessed('messenger', 'mid.7')).toBe(false);
      const item = {
        id: `${c.id}:mid.7:0`,
        channel: 'messenger',
        conversationId: c.id,
        userId: 'psid-done',
        seq: 0,
        payload: { message: { text: 'chào em' } },
        meta: { human: false },
        createdAt: at,
        expiresAt: new Date(at.getTime() + 86_400_000),
      };
      await f.store.enqueueOutbox([item], {
        processed: { channel: 'messenger', messageId: 'mid.7' },
        inboxId: 'messenger:message:mid.7',
      });
      expect(await f.store.isProcessed('messenger', 'mid.7')).toBe(true);
      expect(await f.store.isProcessed('line', 'mid.7')).toBe(false);
      expect(await f.store.markProcessed('messenger', 'mid.7')).toBe(false);
      expect(await f.store.listInbox(new Date(at.getTime() + 1000), 10)).toEqual([]);
      // Due by its creation time (ids only), not before; not once it has gone out.
      expect(await f.store.dueOutbox(new Date(at.getTime() - 1), 10)).toEqual([]);
      expect(await f.store.dueOutbox(at, 10)).toEqual([c.id]);
      await f.store.retryOutbox(item.id, 1, new Date(at.getTime() + 5000), 'messenger 503');
      expect(await f.store.dueOutbox(new Date(at.getTime() + 4000), 10)).toEqual([]);
      expect(await f.store.dueOutbox(new Date(at.getTime() + 5000), 10)).toEqual([c.id]);
      await f.store.settleOutbox(item.id, 'sent');
      expect(await f.store.dueOutbox(new Date(at.getTime() + 5000), 10)).toEqual([]);
      // No replies (a counsellor has the chat): the turn is still settled.
      await f.store.putInbox([
        { id: 'messenger:message:mid.8', channel: 'messenger', event: {}, receivedAt: at },
      ]);
      await f.store.enqueueOutbox([], {
        processed: { channel: 'messenger', messageId: 'mid.8' },
        inboxId: 'messenger:message:mid.8',
      });
      expect(await f.store.isProcessed('messenger', 'mid.8')).toBe(true);
      expect(await f.store.listInbox(new Date(at.getTime() + 1000), 10)).toEqual([]);
    });

    it('answers the readiness ping', async () => {
      await expect(f.store.ping()).resolves.toBeUndefined();
    });
  });
}
