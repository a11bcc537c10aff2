import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { Counsellor, Ticket } from '../../core/handoff-types.js';
import type { Urgency } from '../../core/types.js';
import type { CounsellorStore, TicketStore } from '../handoff-store.js';
import { lazyField } from '../lazy-field.js';
import { noCipher, type TextCipher } from '../text-cipher.js';

interface TicketRow {
  id: string;
  conversation_id: string;
  channel: string;
  locale: string;
  level: Urgency;
  signals: string;
  reason: Ticket['reason'];
  status: Ticket['status'];
  owner_id: string | null;
  opened_at: number;
  claimed_at: number | null;
  closed_at: number | null;
  outcome: string | null;
}

interface CounsellorRow {
  id: string;
  username: string;
  display_name: string;
  role: Counsellor['role'];
  password_hash: string;
  languages: string;
  available: number;
  created_at: number;
}

const RANK: Record<Urgency, number> = { none: 0, urgent: 1, emergency: 2 };

/** Signal words (the person's own words) and counsellor notes are sealed like message text. */
function toTicket(r: TicketRow, cipher: TextCipher): Ticket {
  const ticket = {
    id: r.id,
    conversationId: r.conversation_id,
    channel: r.channel,
    locale: r.locale,
    level: r.level,
    reason: r.reason,
    status: r.status,
    ...(r.owner_id ? { ownerId: r.owner_id } : {}),
    openedAt: new Date(r.opened_at),
    ...(r.claimed_at ? { claimedAt: new Date(r.claimed_at) } : {}),
    ...(r.closed_at ? { closedAt: new Date(r.closed_at) } : {}),
    ...(r.outcome ? { outcome: JSON.parse(cipher.open(r.outcome)) } : {}),
  };
  // Unsealed only when read (see lazyField).
  return lazyField(
    ticket,
    'signals',
    () => JSON.parse(cipher.open(r.signals)) as Ticket['signals'],
  );
}

function toCounsellor(r: CounsellorRow): Counsellor {
  return {
    id: r.id,
    username: r.username,
    displayName: r.display_name,
    role: r.role,
    passwordHash: r.password_hash,
    languages: JSON.parse(r.languages),
    available: r.available === 1,
    createdAt: new Date(r.created_at),
  };
}

/** Merges signals by id, keeping the first words seen for each. */
function mergeSignals(a: Ticket['signals'], b: Ticket['signals']): Ticket['signals'] {
  const seen = new Set(a.map((s) => s.id));
  return [...a, ...b.filter((s) => !seen.has(s.id))];
}

/** Tickets, counsellors, sessions and audit on the same SQLite database. */
export function sqliteHandoffStore(
  db: Database.Database,
  cipher: TextCipher = noCipher,
): TicketStore & CounsellorStore {
  const getTicketRow = (id: string) =>
    db.prepare('SELECT * FROM tickets WHERE id = ?').get(id) as TicketRow | undefined;
  const openRowFor = (conversationId: string) =>
    db
      .prepare("SELECT * FROM tickets WHERE conversation_id = ? AND status != 'closed'")
      .get(conversationId) as TicketRow | undefined;
  const changed = (sql: string, ...args: unknown[]) => db.prepare(sql).run(...args).changes === 1;

  function raise(row: TicketRow, level: Urgency, signals: Ticket['signals']): TicketRow {
    const next = RANK[level] > RANK[row.level] ? level : row.level;
    const merged = cipher.seal(
      JSON.stringify(mergeSignals(JSON.parse(cipher.open(row.signals)), signals)),
    );
    db.prepare('UPDATE tickets SET level = ?, signals = ? WHERE id = ?').run(next, merged, row.id);
    return { ...row, level: next, signals: merged };
  }

  const open = db.transaction((input: Parameters<TicketStore['openTicket']>[0]) => {
    const existing = openRowFor(input.conversationId);
    if (existing)
      return {
        ticket: toTicket(raise(existing, input.level, input.signals), cipher),
        created: false,
      };
    const row: TicketRow = {
      id: randomUUID(),
      conversation_id: input.conversationId,
      channel: input.channel,
      locale: input.locale,
      level: input.level,
      signals: cipher.seal(JSON.stringify(input.signals)),
      reason: input.reason,
      status: 'queued',
      owner_id: null,
      opened_at: Date.now(),
      claimed_at: null,
      closed_at: null,
      outcome: null,
    };
    db.prepare(
      `INSERT INTO tickets (id, conversation_id, channel, locale, level, signals, reason, status, opened_at)
       VALUES (@id, @conversation_id, @channel, @locale, @level, @signals, @reason, @status, @opened_at)`,
    ).run(row);
    return { ticket: toTicket(row, cipher), created: true };
  });

  return {
    async openTicket(input) {
      return open(input);
    },
    async getTicket(id) {
      const r = getTicketRow(id);
      return r ? toTicket(r, cipher) : undefined;
    },
    async openTicketFor(conversationId) {
      const r = openRowFor(conversationId);
      return r ? toTicket(r, cipher) : undefined;
    },
    async listOpenTickets() {
      return (
        db.prepare("SELECT * FROM tickets WHERE status != 'closed'").all() as TicketRow[]
      ).map((r) => toTicket(r, cipher));
    },
    async claimTicket(id, counsellorId) {
      return changed(
        "UPDATE tickets SET status = 'claimed', owner_id = ?, claimed_at = ? WHERE id = ? AND status = 'queued'",
        counsellorId,
        Date.now(),
        id,
      );
    },
    async releaseTicket(id, counsellorId, anyOwner = false) {
      return changed(
        `UPDATE tickets SET status = 'queued', owner_id = NULL, claimed_at = NULL
         WHERE id = ? AND status = 'claimed' AND (owner_id = ? OR ?)`,
        id,
        counsellorId,
        anyOwner ? 1 : 0,
      );
    },
    async transferTicket(id, fromId, toId, anyOwner = false) {
      return changed(
        `UPDATE tickets SET owner_id = ? WHERE id = ? AND status = 'claimed' AND (owner_id = ? OR ?)`,
        toId,
        id,
        fromId,
        anyOwner ? 1 : 0,
      );
    },
    async closeTicket(id, counsellorId, outcome, anyOwner = false) {
      return changed(
        `UPDATE tickets SET status = 'closed', closed_at = ?, outcome = ?
         WHERE id = ? AND status = 'claimed' AND (owner_id = ? OR ?)`,
        Date.now(),
        cipher.seal(JSON.stringify(outcome)),
        id,
        counsellorId,
        anyOwner ? 1 : 0,
      );
    },
    async listTicketsOpenedSince(since) {
      return (
        db
          .prepare('SELECT * FROM tickets WHERE opened_at >= ? ORDER BY opened_at')
          .all(since.getTime()) as TicketRow[]
      ).map((r) => toTicket(r, cipher));
    },
    async markTicketAlerted(id) {
      return changed(
        'UPDATE tickets SET alerted_at = ? WHERE id = ? AND alerted_at IS NULL',
        Date.now(),
        id,
      );
    },
    async cancelTicket(id) {
      const outcome = {
        kind: 'information',
        detail: 'none',
        notes: 'withdrawn by the person while waiting',
      };
      return changed(
        "UPDATE tickets SET status = 'closed', closed_at = ?, outcome = ? WHERE id = ? AND status = 'queued'",
        Date.now(),
        cipher.seal(JSON.stringify(outcome)),
        id,
      );
    },
    async raiseTicket(id, level, signals) {
      const r = getTicketRow(id);
      return r ? toTicket(raise(r, level, signals), cipher) : undefined;
    },

    async createCounsellor(c) {
      const row: CounsellorRow = {
        id: randomUUID(),
        username: c.username,
        display_name: c.displayName,
        role: c.role,
        password_hash: c.passwordHash,
        languages: JSON.stringify(c.languages),
        available: 0,
        created_at: Date.now(),
      };
      db.prepare(
        `INSERT INTO counsellors (id, username, display_name, role, password_hash, languages, available, created_at)
         VALUES (@id, @username, @display_name, @role, @password_hash, @languages, @available, @created_at)`,
      ).run(row);
      return toCounsellor(row);
    },
    async getCounsellor(id) {
      const r = db.prepare('SELECT * FROM counsellors WHERE id = ?').get(id) as
        | CounsellorRow
        | undefined;
      return r ? toCounsellor(r) : undefined;
    },
    async findCounsellor(username) {
      const r = db.prepare('SELECT * FROM counsellors WHERE username = ?').get(username) as
        | CounsellorRow
        | undefined;
      return r ? toCounsellor(r) : undefined;
    },
    async listCounsellors() {
      return (
        db.prepare('SELECT * FROM counsellors ORDER BY username').all() as CounsellorRow[]
      ).map(toCounsellor);
    },
    async setAvailability(id, available) {
      db.prepare('UPDATE counsellors SET available = ? WHERE id = ?').run(available ? 1 : 0, id);
    },
    async setLanguages(id, languages) {
      db.prepare('UPDATE counsellors SET languages = ? WHERE id = ?').run(
        JSON.stringify(languages),
        id,
      );
    },
    async createSession(s) {
      db.prepare(
        'INSERT INTO counsellor_sessions (token_hash, counsellor_id, expires_at) VALUES (?, ?, ?)',
      ).run(s.token, s.counsellorId, s.expiresAt.getTime());
    },
    async getSession(tokenHash) {
      const r = db
        .prepare('SELECT * FROM counsellor_sessions WHERE token_hash = ?')
        .get(tokenHash) as
        | { token_hash: string; counsellor_id: string; expires_at: number }
        | undefined;
      return r
        ? { token: r.token_hash, counsellorId: r.counsellor_id, expiresAt: new Date(r.expires_at) }
        : undefined;
    },
    async deleteSession(tokenHash) {
      db.prepare('DELETE FROM counsellor_sessions WHERE token_hash = ?').run(tokenHash);
    },
    async deleteSessionsOf(counsellorId) {
      return db.prepare('DELETE FROM counsellor_sessions WHERE counsellor_id = ?').run(counsellorId)
        .changes;
    },
    async recordAudit(e) {
      db.prepare(
        'INSERT INTO audit_log (at, counsellor_id, action, ticket_id, conversation_id) VALUES (?, ?, ?, ?, ?)',
      ).run(e.at.getTime(), e.counsellorId, e.action, e.ticketId ?? null, e.conversationId ?? null);
    },
    async listCannedReplies() {
      const rows = db.prepare('SELECT * FROM canned_replies ORDER BY locale, title').all() as {
        id: string;
        locale: string;
        title: string;
        text: string;
        updated_by: string;
        updated_at: number;
      }[];
      return rows.map((r) => ({
        id: r.id,
        locale: r.locale,
        title: r.title,
        text: r.text,
        updatedBy: r.updated_by,
        updatedAt: new Date(r.updated_at),
      }));
    },
    async saveCannedReply(r) {
      const saved = { ...r, id: r.id ?? randomUUID(), updatedAt: new Date() };
      db.prepare(
        `INSERT INTO canned_replies (id, locale, title, text, updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET locale = excluded.locale, title = excluded.title, text = excluded.text,
         updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
      ).run(
        saved.id,
        saved.locale,
        saved.title,
        saved.text,
        saved.updatedBy,
        saved.updatedAt.getTime(),
      );
      return saved;
    },
    async deleteCannedReply(id) {
      return db.prepare('DELETE FROM canned_replies WHERE id = ?').run(id).changes === 1;
    },
    async listAudit(filter) {
      const rows = db
        .prepare(
          `SELECT * FROM audit_log WHERE (? IS NULL OR conversation_id = ?) AND (? IS NULL OR counsellor_id = ?)
           ORDER BY seq`,
        )
        .all(
          filter.conversationId ?? null,
          filter.conversationId ?? null,
          filter.counsellorId ?? null,
          filter.counsellorId ?? null,
        ) as {
        at: number;
        counsellor_id: string;
        action: string;
        ticket_id: string | null;
        conversation_id: string | null;
      }[];
      return rows.map((r) => ({
        at: new Date(r.at),
        counsellorId: r.counsellor_id,
        action: r.action,
        ...(r.ticket_id ? { ticketId: r.ticket_id } : {}),
        ...(r.conversation_id ? { conversationId: r.conversation_id } : {}),
      }));
    },
  };
}
