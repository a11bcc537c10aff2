import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Conversation, Locale, StoredMessage } from '../../core/types.js';
import type { ConversationPatch, NewMessage, Store } from '../store.js';
import { noCipher, type TextCipher } from '../text-cipher.js';
import { groupCommit, withGroupCommit } from './group-commit.js';
import { migrations } from './migrations.js';
import { sqliteHandoffStore } from './sqlite-handoff.js';
import { sqliteInbox, sqliteOutbox } from './sqlite-outbox.js';
import { sqliteReports } from './sqlite-reports.js';

interface ConversationRow {
  id: string;
  channel: string;
  user_id: string;
  locale: string;
  state: Conversation['state'];
  urgency: Conversation['urgency'];
  context: string;
  follow_up?: number;
  created_at: number;
  updated_at: number;
}

interface MessageRow {
  id: string;
  conversation_id: string;
  direction: StoredMessage['direction'];
  text: string;
  reply: string | null;
  choice: string | null;
  created_at: number;
}

function toConversation(row: ConversationRow, cipher: TextCipher): Conversation {
  return {
    id: row.id,
    channel: row.channel,
    userId: row.user_id,
    locale: row.locale,
    state: row.state,
    urgency: row.urgency,
    ...(row.follow_up ? { followUp: true } : {}),
    context: JSON.parse(cipher.open(row.context)),
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

function toMessage(row: MessageRow, cipher: TextCipher): StoredMessage {
  return {
    id: row.id,
    conversationId: row.conversation_id,
    direction: row.direction,
    text: cipher.open(row.text),
    ...(row.reply ? { reply: JSON.parse(cipher.open(row.reply)) } : {}),
    ...(row.choice ? { choice: row.choice } : {}),
    createdAt: new Date(row.created_at),
  };
}

/** Applies the migrations this file has not seen yet, each in a transaction. */
function migrate(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  migrations.slice(current).forEach((sql, i) => {
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`user_version = ${current + i + 1}`);
    })();
  });
}

/**
 * The embedded default store: one SQLite file (WAL mode), so a fresh clone
 * runs with no database server. `filename` may be `:memory:` for tools.
 */
export function createSqliteStore(filename: string, options: { cipher?: TextCipher } = {}): Store {
  const cipher = options.cipher ?? noCipher;
  if (filename !== ':memory:') mkdirSync(dirname(filename), { recursive: true });
  const db = new Database(filename);
  db.pragma('journal_mode = WAL');
  // WAL + NORMAL: no fsync per commit, still never corrupt; a power cut may lose the last
  // moments of writes, a crash of the process loses nothing. A turn makes ~10 small commits.
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);

  const q = {
    findConversation: db.prepare('SELECT * FROM conversations WHERE channel = ? AND user_id = ?'),
    getConversation: db.prepare('SELECT * FROM conversations WHERE id = ?'),
    insertConversation: db.prepare(
      `INSERT INTO conversations (id, channel, user_id, locale, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (channel, user_id) DO NOTHING`,
    ),
    deleteConversation: db.prepare('DELETE FROM conversations WHERE id = ?'),
    insertMessage: db.prepare(
      `INSERT INTO messages (id, conversation_id, direction, text, reply, choice, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ),
    listMessages: db.prepare(
      `SELECT * FROM (SELECT * FROM messages WHERE conversation_id = ? ORDER BY seq DESC LIMIT ?)
       ORDER BY seq ASC`,
    ),
    updateConversation: db.prepare(
      `UPDATE conversations SET locale = @locale, state = @state, urgency = @urgency,
       context = @context, updated_at = @updated_at WHERE id = @id`,
    ),
    acquireLock: db.prepare(
      `INSERT INTO locks (key, token, expires_at) VALUES (?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET token = excluded.token, expires_at = excluded.expires_at
       WHERE locks.expires_at <= ?`,
    ),
    releaseLock: db.prepare('DELETE FROM locks WHERE key = ? AND token = ?'),
    getLock: db.prepare('SELECT token FROM locks WHERE key = ?'),
    takeOverLock: db.prepare(
      'UPDATE locks SET token = ?, expires_at = ? WHERE key = ? AND token = ?',
    ),
    isProcessed: db.prepare(
      'SELECT 1 FROM processed_messages WHERE channel = ? AND message_id = ?',
    ),
    markProcessed: db.prepare(
      `INSERT INTO processed_messages (channel, message_id, processed_at) VALUES (?, ?, ?)
       ON CONFLICT DO NOTHING`,
    ),
  };

  function getRow(id: string): ConversationRow | undefined {
    return q.getConversation.get(id) as ConversationRow | undefined;
  }

  const group = groupCommit(db);
  const store: Store = {
    ...sqliteHandoffStore(db, cipher),
    ...sqliteReports(db),
    ...sqliteOutbox(db, cipher, q.markProcessed),
    ...sqliteInbox(db, cipher),
    async openConversation(channel: string, userId: string, locale: Locale) {
      const now = Date.now();
      q.insertConversation.run(randomUUID(), channel, userId, locale, now, now);
      return toConversation(q.findConversation.get(channel, userId) as ConversationRow, cipher);
    },

    async findConversation(channel: string, userId: string) {
      const row = q.findConversation.get(channel, userId) as ConversationRow | undefined;
      return row ? toConversation(row, cipher) : undefined;
    },

    async getConversation(id: string) {
      const row = getRow(id);
      return row ? toConversation(row, cipher) : undefined;
    },

    async updateConversation(id: string, patch: ConversationPatch) {
      const row = getRow(id);
      if (!row) throw new Error(`no conversation ${id}`);
      const next: ConversationRow = {
        ...row,
        locale: patch.locale ?? row.locale,
        state: patch.state ?? row.state,
        urgency: patch.urgency ?? row.urgency,
        context: patch.context ? cipher.seal(JSON.stringify(patch.context)) : row.context,
        updated_at: Date.now(),
      };
      q.updateConversation.run(next);
      return toConversation(next, cipher);
    },

    async deleteConversation(id: string) {
      // The outbox is not tied by a foreign key: an erased person still gets the "deleted" reply.
      db.prepare('DELETE FROM outbox WHERE conversation_id = ?').run(id);
      q.deleteConversation.run(id);
    },

    async setFollowUp(id, keep) {
      db.prepare('UPDATE conversations SET follow_up = ? WHERE id = ?').run(keep ? 1 : 0, id);
    },

    async purgeIdleConversations(before) {
      db.prepare('DELETE FROM knowledge_gaps WHERE at < ?').run(before.getTime());
      // Tickets and messages go with their conversation (ON DELETE CASCADE); the outbox by hand.
      db.prepare(
        `DELETE FROM outbox WHERE created_at < ? OR conversation_id IN
           (SELECT id FROM conversations WHERE updated_at < ? AND follow_up = 0)`,
      ).run(before.getTime(), before.getTime());
      return db
        .prepare('DELETE FROM conversations WHERE updated_at < ? AND follow_up = 0')
        .run(before.getTime()).changes;
    },

    async appendMessage(message: NewMessage) {
      const id = randomUUID();
      const createdAt = message.createdAt ?? new Date();
      q.insertMessage.run(
        id,
        message.conversationId,
        message.direction,
        cipher.seal(message.text),
        message.reply ? cipher.seal(JSON.stringify(message.reply)) : null,
        message.choice ?? null,
        createdAt.getTime(),
      );
      return {
        id,
        conversationId: message.conversationId,
        direction: message.direction,
        text: message.text,
        ...(message.reply ? { reply: message.reply } : {}),
        ...(message.choice ? { choice: message.choice } : {}),
        createdAt,
      };
    },

    async listMessages(conversationId: string, limit = 500) {
      return (q.listMessages.all(conversationId, limit) as MessageRow[]).map((r) =>
        toMessage(r, cipher),
      );
    },

    async markProcessed(channel: string, messageId: string) {
      return q.markProcessed.run(channel, messageId, Date.now()).changes === 1;
    },

    async isProcessed(channel: string, messageId: string) {
      return q.isProcessed.get(channel, messageId) !== undefined;
    },

    async acquireLock(key, ttlMs) {
      const token = `${process.pid}:${randomUUID()}`;
      const now = Date.now();
      // Insert, or take over a lease that has expired; one statement, so one winner.
      if (q.acquireLock.run(key, token, now + ttlMs, now).changes === 1) return token;
      // A SQLite file serves one machine, so a holder's pid can be checked: a lease left by a
      // killed process is taken over now, not when it expires (its turn or send runs again).
      const held = q.getLock.get(key) as { token: string } | undefined;
      const pid = Number(held?.token.split(':')[0]);
      if (!held || !Number.isInteger(pid) || pid === process.pid || alive(pid)) return undefined;
      return q.takeOverLock.run(token, now + ttlMs, key, held.token).changes === 1
        ? token
        : undefined;
    },
    async releaseLock(key, token) {
      q.releaseLock.run(key, token);
    },
    async recordGap(gap) {
      db.prepare('INSERT INTO knowledge_gaps (at, locale, channel, text) VALUES (?, ?, ?, ?)').run(
        gap.at.getTime(),
        gap.locale,
        gap.channel,
        cipher.seal(gap.text),
      );
    },
    async listGaps(from, to) {
      const rows = db
        .prepare('SELECT * FROM knowledge_gaps WHERE at >= ? AND at < ? ORDER BY at, seq')
        .all(from.getTime(), to.getTime()) as {
        at: number;
        locale: string;
        channel: string;
        text: string;
      }[];
      return rows.map((r) => ({
        at: new Date(r.at),
        locale: r.locale,
        channel: r.channel,
        text: cipher.open(r.text),
      }));
    },
    async putDataset(name, value, options) {
      const json = JSON.stringify(value);
      db.prepare(
        `INSERT INTO datasets (name, value, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      ).run(name, options?.sealed ? cipher.seal(json) : json, Date.now());
    },
    async getDataset(name) {
      const r = db.prepare('SELECT value, updated_at FROM datasets WHERE name = ?').get(name) as
        | { value: string; updated_at: number }
        | undefined;
      return r
        ? { value: JSON.parse(cipher.open(r.value)), updatedAt: new Date(r.updated_at) }
        : undefined;
    },
    async ping() {
      // Ready means we can write now: a reserved lock, at once, given back at once. A plain
      // SELECT answers even while another process holds the file exclusively.
      db.pragma('busy_timeout = 0');
      try {
        db.exec('BEGIN IMMEDIATE; ROLLBACK');
      } finally {
        db.pragma('busy_timeout = 5000');
      }
    },

    async close() {
      group.flush();
      if (db.open) db.close();
    },
  };
  return withGroupCommit(store, group, READS);
}

/** Whether a process of this machine is running (EPERM: it is, but not ours to signal). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The methods that only read; every other one is a write and joins the group commit. */
const READS = new Set([
  'findConversation',
  'getConversation',
  'listMessages',
  'getDataset',
  'isProcessed',
  'listGaps',
  'listInbox',
  'pendingOutbox',
  'dueOutbox',
  'undelivered',
  'getTicket',
  'openTicketFor',
  'listOpenTickets',
  'listTicketsOpenedSince',
  'getCounsellor',
  'findCounsellor',
  'listCounsellors',
  'getSession',
  'listAudit',
  'listCannedReplies',
  'countEvents',
  'countAllEvents',
  'waitTimes',
  'ping',
  'close',
]);
