import { randomUUID } from 'node:crypto';
import type { Db } from 'mongodb';
import type {
  AuditEntry,
  CannedReply,
  Counsellor,
  Ticket,
  TicketOutcome,
} from '../../core/handoff-types.js';
import type { Urgency } from '../../core/types.js';
import type { CounsellorStore, TicketStore } from '../handoff-store.js';
import { lazyField } from '../lazy-field.js';
import { noCipher, type TextCipher } from '../text-cipher.js';
import { isDuplicate, nextSeq } from './mongo-store.js';

/** `round` counts how often the ticket went back to the queue: each queued period has one claim. */
type TicketDoc = Omit<Ticket, 'id'> & { _id: string; alertedAt?: Date; round?: number };
type CounsellorDoc = Omit<Counsellor, 'id'> & { _id: string };
const RANK: Record<Urgency, number> = { none: 0, urgent: 1, emergency: 2 };
const shape = ({ _id, alertedAt: _, round: __, ...t }: TicketDoc): Ticket => ({ id: _id, ...t });
const toCounsellor = ({ _id, ...c }: CounsellorDoc): Counsellor => ({ id: _id, ...c });

function merge(a: Ticket['signals'], b: Ticket['signals']): Ticket['signals'] {
  const seen = new Set(a.map((s) => s.id));
  return [...a, ...b.filter((s) => !seen.has(s.id))];
}

/**
 * Tickets, counsellors, sessions, audit and canned replies on MongoDB. Every
 * "exactly one" rests on a unique `_id` insert, the one guarantee every
 * MongoDB-compatible server keeps under concurrency (FerretDB's conditional
 * updates are not atomic: 50 parallel claims gave 4 winners there): one open
 * ticket per conversation (`open_tickets`), one owner per queued period of a
 * ticket (`ticket_claims`), one alert per ticket (`ticket_alerts`).
 */
export async function mongoHandoffStore(
  db: Db,
  cipher: TextCipher = noCipher,
): Promise<TicketStore & CounsellorStore> {
  // Signal words are the person's own words, notes the counsellor's: sealed like message text.
  const seal = (signals: Ticket['signals']) =>
    signals.map((x) => ({ ...x, words: cipher.seal(x.words) }));
  const sealNotes = (o: TicketOutcome): TicketOutcome =>
    o.notes ? { ...o, notes: cipher.seal(o.notes) } : o;
  const toTicket = (doc: TicketDoc): Ticket => {
    const { signals, ...t } = shape(doc);
    const ticket = {
      ...t,
      ...(t.outcome?.notes
        ? { outcome: { ...t.outcome, notes: cipher.open(t.outcome.notes) } }
        : {}),
    };
    // Unsealed only when read (see lazyField).
    return lazyField(ticket, 'signals', () =>
      signals.map((x) => ({ ...x, words: cipher.open(x.words) })),
    );
  };
  const tickets = db.collection<TicketDoc>('tickets');
  const open = db.collection<{ _id: string; ticketId: string }>('open_tickets');
  const claims = db.collection<{ _id: string; ownerId: string; at: Date }>('ticket_claims');
  const alerts = db.collection<{ _id: string; at: Date }>('ticket_alerts');
  const counsellors = db.collection<CounsellorDoc>('counsellors');
  const sessions = db.collection<{ _id: string; counsellorId: string; expiresAt: Date }>(
    'counsellor_sessions',
  );
  const audit = db.collection<AuditEntry & { seq: number }>('audit_log');
  const canned = db.collection<Omit<CannedReply, 'id'> & { _id: string }>('canned_replies');
  await tickets.createIndex({ status: 1, openedAt: 1 });
  await tickets.createIndex({ openedAt: 1 });
  await counsellors.createIndex({ username: 1 }, { unique: true });
  // "Sign out everywhere" finds a counsellor's sessions without a scan.
  await sessions.createIndex({ counsellorId: 1 });
  await audit.createIndex({ conversationId: 1, seq: 1 });

  async function raise(
    t: TicketDoc,
    level: Urgency,
    signals: Ticket['signals'],
  ): Promise<TicketDoc> {
    const next = RANK[level] > RANK[t.level] ? level : t.level;
    const merged = merge(t.signals, seal(signals));
    await tickets.updateOne({ _id: t._id }, { $set: { level: next, signals: merged } });
    return { ...t, level: next, signals: merged };
  }
  async function closeOpen(t: TicketDoc | null) {
    if (t) await open.deleteOne({ _id: t.conversationId, ticketId: t._id });
  }
  const byOwner = (id: string, status: Ticket['status'], owner: string, anyOwner: boolean) => ({
    _id: id,
    status,
    ...(anyOwner ? {} : { ownerId: owner }),
  });

  return {
    async openTicket(input) {
      const id = randomUUID();
      try {
        await open.insertOne({ _id: input.conversationId, ticketId: id });
      } catch (error) {
        if (!isDuplicate(error)) throw error;
        // Already open: wait for the racing insert to be visible, then raise it.
        for (let i = 0; i < 50; i++) {
          const pointer = await open.findOne({ _id: input.conversationId });
          const existing = pointer && (await tickets.findOne({ _id: pointer.ticketId }));
          if (existing)
            return {
              ticket: toTicket(await raise(existing, input.level, input.signals)),
              created: false,
            };
          await new Promise((r) => setTimeout(r, 10));
        }
        throw new Error(`open ticket of conversation ${input.conversationId} not found`);
      }
      const doc: TicketDoc = {
        _id: id,
        ...input,
        signals: seal(input.signals),
        status: 'queued',
        openedAt: new Date(),
      };
      await tickets.insertOne(doc);
      return { ticket: toTicket(doc), created: true };
    },
    async getTicket(id) {
      const t = await tickets.findOne({ _id: id });
      return t ? toTicket(t) : undefined;
    },
    async openTicketFor(conversationId) {
      const pointer = await open.findOne({ _id: conversationId });
      const t =
        pointer && (await tickets.findOne({ _id: pointer.ticketId, status: { $ne: 'closed' } }));
      return t ? toTicket(t) : undefined;
    },
    async listOpenTickets() {
      return (await tickets.find({ status: { $in: ['queued', 'claimed'] } }).toArray()).map(
        toTicket,
      );
    },
    async listTicketsOpenedSince(since) {
      return (
        await tickets
          .find({ openedAt: { $gte: since } })
          .sort({ openedAt: 1 })
          .toArray()
      ).map(toTicket);
    },
    async claimTicket(id, counsellorId) {
      const t = await tickets.findOne({ _id: id });
      if (t?.status !== 'queued') return false;
      try {
        await claims.insertOne({
          _id: `${id}#${t.round ?? 0}`,
          ownerId: counsellorId,
          at: new Date(),
        });
      } catch (error) {
        if (isDuplicate(error)) return false;
        throw error;
      }
      await tickets.updateOne(
        { _id: id },
        { $set: { status: 'claimed', ownerId: counsellorId, claimedAt: new Date() } },
      );
      return true;
    },
    async releaseTicket(id, counsellorId, anyOwner = false) {
      const r = await tickets.updateOne(byOwner(id, 'claimed', counsellorId, anyOwner), {
        $set: { status: 'queued' },
        $unset: { ownerId: '', claimedAt: '' },
        $inc: { round: 1 },
      });
      return r.modifiedCount === 1;
    },
    async transferTicket(id, fromId, toId, anyOwner = false) {
      const r = await tickets.updateOne(byOwner(id, 'claimed', fromId, anyOwner), {
        $set: { ownerId: toId },
      });
      return r.matchedCount === 1;
    },
    async closeTicket(id, counsellorId, outcome, anyOwner = false) {
      const t = await tickets.findOneAndUpdate(byOwner(id, 'claimed', counsellorId, anyOwner), {
        $set: { status: 'closed', closedAt: new Date(), outcome: sealNotes(outcome) },
      });
      await closeOpen(t);
      return t !== null;
    },
    async markTicketAlerted(id) {
      try {
        await alerts.insertOne({ _id: id, at: new Date() });
        return true;
      } catch (error) {
        if (isDuplicate(error)) return false;
        throw error;
      }
    },
    async cancelTicket(id) {
      const t = await tickets.findOneAndUpdate(
        { _id: id, status: 'queued' },
        {
          $set: {
            status: 'closed',
            closedAt: new Date(),
            outcome: sealNotes({
              kind: 'information',
              detail: 'none',
              notes: 'withdrawn by the person while waiting',
            }),
          },
        },
      );
      await closeOpen(t);
      return t !== null;
    },
    async raiseTicket(id, level, signals) {
      const t = await tickets.findOne({ _id: id });
      return t ? toTicket(await raise(t, level, signals)) : undefined;
    },

    async createCounsellor(c) {
      const doc: CounsellorDoc = {
        _id: randomUUID(),
        ...c,
        available: false,
        createdAt: new Date(),
      };
      await counsellors.insertOne(doc);
      return toCounsellor(doc);
    },
    async getCounsellor(id) {
      const c = await counsellors.findOne({ _id: id });
      return c ? toCounsellor(c) : undefined;
    },
    async findCounsellor(username) {
      const c = await counsellors.findOne({ username });
      return c ? toCounsellor(c) : undefined;
    },
    async listCounsellors() {
      return (await counsellors.find({}).sort({ username: 1 }).toArray()).map(toCounsellor);
    },
    async setAvailability(id, available) {
      await counsellors.updateOne({ _id: id }, { $set: { available } });
    },
    async setLanguages(id, languages) {
      await counsellors.updateOne({ _id: id }, { $set: { languages } });
    },
    async createSession(s) {
      await sessions.insertOne({
        _id: s.token,
        counsellorId: s.counsellorId,
        expiresAt: s.expiresAt,
      });
    },
    async getSession(tokenHash) {
      const s = await sessions.findOne({ _id: tokenHash });
      return s ? { token: s._id, counsellorId: s.counsellorId, expiresAt: s.expiresAt } : undefined;
    },
    async deleteSession(tokenHash) {
      await sessions.deleteOne({ _id: tokenHash });
    },
    async deleteSessionsOf(counsellorId) {
      return (await sessions.deleteMany({ counsellorId })).deletedCount;
    },
    async recordAudit(entry) {
      await audit.insertOne({ ...entry, seq: await nextSeq(db, 'audit') });
    },
    async listAudit(filter) {
      const query = {
        ...(filter.conversationId ? { conversationId: filter.conversationId } : {}),
        ...(filter.counsellorId ? { counsellorId: filter.counsellorId } : {}),
      };
      return (await audit.find(query).sort({ seq: 1 }).toArray()).map(({ _id, seq: _, ...e }) => e);
    },
    async listCannedReplies() {
      return (await canned.find({}).sort({ locale: 1, title: 1 }).toArray()).map(
        ({ _id, ...r }) => ({ id: _id, ...r }),
      );
    },
    async saveCannedReply(r) {
      const { id: given, ...rest } = r;
      const id = given ?? randomUUID();
      const doc = { ...rest, updatedAt: new Date() };
      await canned.updateOne({ _id: id }, { $set: doc }, { upsert: true });
      return { id, ...doc };
    },
    async deleteCannedReply(id) {
      return (await canned.deleteOne({ _id: id })).deletedCount === 1;
    },
  };
}
