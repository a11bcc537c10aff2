import { describe, expect, it } from 'vitest';
import { type StoreFactory, useStore } from './fixture.js';

const signal = (id: string, level: 'urgent' | 'emergency') => ({ id, level, label: id, words: id });

/** What every Store adapter must do for tickets, counsellors, sessions and audit. */
export function runHandoffStoreContract(name: string, make: StoreFactory): void {
  describe(`Handoff store contract: ${name}`, () => {
    const f = useStore(make);

    async function ticketFor(userId: string, level: 'none' | 'urgent' | 'emergency' = 'none') {
      const c = await f.store.openConversation('web', userId, 'vi');
      const { ticket } = await f.store.openTicket({
        conversationId: c.id,
        channel: 'web',
        locale: 'vi',
        level,
        signals: [],
        reason: 'asked',
      });
      return ticket;
    }

    it('keeps one open ticket per conversation, raising its level and merging signals', async () => {
      const c = await f.store.openConversation('web', 't1', 'vi');
      const base = { conversationId: c.id, channel: 'web', locale: 'vi', reason: 'asked' as const };
      const first = await f.store.openTicket({
        ...base,
        level: 'urgent',
        signals: [signal('passport-held', 'urgent')],
      });
      const again = await f.store.openTicket({
        ...base,
        level: 'emergency',
        signals: [signal('confined', 'emergency')],
      });
      const lower = await f.store.openTicket({ ...base, level: 'none', signals: [] });
      expect(first.created).toBe(true);
      expect(again.created).toBe(false);
      expect(again.ticket.id).toBe(first.ticket.id);
      expect(lower.ticket.level).toBe('emergency');
      expect(lower.ticket.signals.map((s) => s.id)).toEqual(['passport-held', 'confined']);
      expect((await f.store.openTicketFor(c.id))?.id).toBe(first.ticket.id);
    });

    it('opening tickets for one conversation at once yields one ticket', async () => {
      const c = await f.store.openConversation('web', 't-race', 'vi');
      const results = await Promise.all(
        Array.from({ length: 20 }, () =>
          f.store.openTicket({
            conversationId: c.id,
            channel: 'web',
            locale: 'vi',
            level: 'none',
            signals: [],
            reason: 'asked',
          }),
        ),
      );
      expect(new Set(results.map((r) => r.ticket.id)).size).toBe(1);
      expect(results.filter((r) => r.created)).toHaveLength(1);
    });

    it('gives a ticket to exactly one of 50 counsellors claiming it at once', async () => {
      const t = await ticketFor('t2', 'emergency');
      const wins = await Promise.all(
        Array.from({ length: 50 }, (_, i) => f.store.claimTicket(t.id, `c${i}`)),
      );
      expect(wins.filter(Boolean)).toHaveLength(1);
      const owner = `c${wins.indexOf(true)}`;
      expect(await f.store.getTicket(t.id)).toMatchObject({ status: 'claimed', ownerId: owner });
    });

    it('lets only the owner return, transfer or close a ticket', async () => {
      const t = await ticketFor('t3');
      await f.store.claimTicket(t.id, 'alice');
      expect(await f.store.releaseTicket(t.id, 'bob')).toBe(false);
      expect(await f.store.transferTicket(t.id, 'bob', 'carol')).toBe(false);
      expect(await f.store.transferTicket(t.id, 'alice', 'bob')).toBe(true);
      expect(await f.store.releaseTicket(t.id, 'bob')).toBe(true);
      expect((await f.store.getTicket(t.id))?.status).toBe('queued');
      await f.store.claimTicket(t.id, 'carol');
      const outcome = {
        kind: 'referral' as const,
        detail: 'rescue' as const,
        agency: 'police',
        notes: 'n',
      };
      expect(await f.store.closeTicket(t.id, 'alice', outcome)).toBe(false);
      expect(await f.store.closeTicket(t.id, 'alice', outcome, true)).toBe(true);
      expect(await f.store.getTicket(t.id)).toMatchObject({ status: 'closed', outcome });
      expect(await f.store.openTicketFor(t.conversationId)).toBeUndefined();
      expect(await f.store.claimTicket(t.id, 'dave')).toBe(false);
    });

    it('lists open tickets only, and keeps them across a restart', async () => {
      const a = await ticketFor('t4', 'urgent');
      const b = await ticketFor('t5');
      await f.store.claimTicket(b.id, 'x');
      await f.store.close();
      f.store = await f.reopen();
      const open = await f.store.listOpenTickets();
      expect(open.map((t) => t.id).sort()).toEqual([a.id, b.id].sort());
      expect(open.find((t) => t.id === b.id)?.ownerId).toBe('x');
    });

    it('lists tickets opened since a moment, whatever their status', async () => {
      const before = new Date(Date.now() - 1000);
      const a = await ticketFor('t6', 'emergency');
      await f.store.claimTicket(a.id, 'x');
      await f.store.closeTicket(a.id, 'x', { kind: 'information', detail: 'none' });
      await ticketFor('t7');
      const since = await f.store.listTicketsOpenedSince(before);
      expect(since.map((t) => t.status).sort()).toEqual(['closed', 'queued']);
      expect(await f.store.listTicketsOpenedSince(new Date(Date.now() + 60_000))).toEqual([]);
    });

    it('marks a ticket alerted once, whoever asks first', async () => {
      const t = await ticketFor('t8', 'emergency');
      const marks = await Promise.all(
        Array.from({ length: 5 }, () => f.store.markTicketAlerted(t.id)),
      );
      expect(marks.filter(Boolean)).toHaveLength(1);
    });

    it('keeps canned replies that supervisors create, edit and delete', async () => {
      const r = await f.store.saveCannedReply({
        locale: 'vi',
        title: 'Chào',
        text: 'Chào em',
        updatedBy: 'sup',
      });
      await f.store.saveCannedReply({
        id: r.id,
        locale: 'vi',
        title: 'Chào',
        text: 'Chào em, chị nghe đây',
        updatedBy: 'sup2',
      });
      expect(await f.store.listCannedReplies()).toMatchObject([
        { id: r.id, text: 'Chào em, chị nghe đây', updatedBy: 'sup2' },
      ]);
      expect(await f.store.deleteCannedReply(r.id)).toBe(true);
      expect(await f.store.deleteCannedReply(r.id)).toBe(false);
      expect(await f.store.listCannedReplies()).toEqual([]);
    });

    it('stores counsellors, availability, sessions and audit entries', async () => {
      const c = await f.store.createCounsellor({
        username: 'lan',
        displayName: 'Lan',
        role: 'counsellor',
        passwordHash: 'scrypt$x',
        languages: ['vi', 'hmn'],
      });
      await expect(
        f.store.createCounsellor({
          username: 'lan',
          displayName: 'L2',
          role: 'admin',
          passwordHash: 'x',
          languages: [],
        }),
      ).rejects.toThrow();
      await f.store.setAvailability(c.id, true);
      expect(await f.store.findCounsellor('lan')).toMatchObject({
        id: c.id,
        available: true,
        languages: ['vi', 'hmn'],
      });
      await f.store.setLanguages(c.id, ['vi', 'km']);
      expect((await f.store.getCounsellor(c.id))?.languages).toEqual(['vi', 'km']);
      const expiresAt = new Date(Date.now() + 60_000);
      await f.store.createSession({ token: 'hash1', counsellorId: c.id, expiresAt });
      expect((await f.store.getSession('hash1'))?.expiresAt.getTime()).toBe(expiresAt.getTime());
      await f.store.deleteSession('hash1');
      expect(await f.store.getSession('hash1')).toBeUndefined();
      await f.store.recordAudit({
        at: new Date(),
        counsellorId: c.id,
        action: 'read-transcript',
        conversationId: 'conv1',
      });
      expect(await f.store.listAudit({ conversationId: 'conv1' })).toMatchObject([
        { action: 'read-transcript' },
      ]);
      expect(await f.store.listAudit({ conversationId: 'other' })).toEqual([]);
    });

    it('ends every session of one counsellor and none of another', async () => {
      const make = (username: string) =>
        f.store.createCounsellor({
          username,
          displayName: username,
          role: 'counsellor',
          passwordHash: 'scrypt$x',
          languages: ['vi'],
        });
      const lan = await make('lan');
      const mai = await make('mai');
      const expiresAt = new Date(Date.now() + 60_000);
      for (const token of ['lan-a', 'lan-b', 'lan-c'])
        await f.store.createSession({ token, counsellorId: lan.id, expiresAt });
      await f.store.createSession({ token: 'mai-a', counsellorId: mai.id, expiresAt });
      expect(await f.store.deleteSessionsOf(lan.id)).toBe(3);
      for (const token of ['lan-a', 'lan-b', 'lan-c'])
        expect(await f.store.getSession(token)).toBeUndefined();
      expect((await f.store.getSession('mai-a'))?.counsellorId).toBe(mai.id);
      expect(await f.store.deleteSessionsOf(lan.id)).toBe(0);
      expect(await f.store.deleteSessionsOf('no-such-counsellor')).toBe(0);
    });
  });
}
