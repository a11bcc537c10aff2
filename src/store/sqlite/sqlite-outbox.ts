import type Database from 'better-sqlite3';
import type {
  InboxEntry,
  InboxStore,
  NewOutboxItem,
  OutboxItem,
  OutboxStore,
  TurnDone,
} from '../store.js';
import type { TextCipher } from '../text-cipher.js';

interface OutboxRow {
  id: string;
  conversation_id: string;
  channel: string;
  user_id: string;
  seq: number;
  payload: string | null;
  meta: string;
  status: OutboxItem['status'];
  attempts: number;
  next_attempt_at: number;
  expires_at: number;
  created_at: number;
  error: string | null;
}

function toItem(row: OutboxRow, cipher: TextCipher): OutboxItem {
  return {
    id: row.id,
    conversationId: row.conversation_id,
    channel: row.channel,
    userId: row.user_id,
    seq: row.seq,
    payload: row.payload === null ? undefined : JSON.parse(cipher.open(row.payload)),
    meta: JSON.parse(row.meta),
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: new Date(row.next_attempt_at),
    expiresAt: new Date(row.expires_at),
    createdAt: new Date(row.created_at),
    ...(row.error ? { error: row.error } : {}),
  };
}

/** The outbox in SQLite. Payloads are sealed like message text; sent items are deleted. */
/** `markProcessed` is the store's own statement, so a turn is marked one way wherever it is. */
export function sqliteOutbox(
  db: Database.Database,
  cipher: TextCipher,
  markProcessed: Database.Statement,
): OutboxStore {
  const insert = db.prepare(
    `INSERT INTO outbox (id, conversation_id, channel, user_id, seq, payload, meta,
       next_attempt_at, expires_at, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
  );
  const removeInbox = db.prepare('DELETE FROM inbox WHERE id = ?');
  const insertAll = db.transaction((items: NewOutboxItem[], done?: TurnDone) => {
    if (done?.processed)
      markProcessed.run(done.processed.channel, done.processed.messageId, Date.now());
    if (done?.inboxId) removeInbox.run(done.inboxId);
    for (const i of items) {
      insert.run(
        i.id,
        i.conversationId,
        i.channel,
        i.userId,
        i.seq,
        cipher.seal(JSON.stringify(i.payload)),
        JSON.stringify(i.meta),
        i.createdAt.getTime(),
        i.expiresAt.getTime(),
        i.createdAt.getTime(),
      );
    }
  });
  const pending = db.prepare(
    `SELECT * FROM outbox WHERE status = 'pending' ORDER BY created_at, seq LIMIT ?`,
  );
  const pendingOf = db.prepare(
    `SELECT * FROM outbox WHERE status = 'pending' AND conversation_id = ?
     ORDER BY created_at, seq LIMIT ?`,
  );
  const due = db.prepare(
    `SELECT DISTINCT conversation_id FROM outbox WHERE status = 'pending' AND next_attempt_at <= ?
     LIMIT ?`,
  );
  const retry = db.prepare(
    `UPDATE outbox SET attempts = ?, next_attempt_at = ?, error = ? WHERE id = ? AND status = 'pending'`,
  );
  const settle = db.prepare('UPDATE outbox SET status = ?, error = ? WHERE id = ?');
  const remove = db.prepare('DELETE FROM outbox WHERE id = ?');
  const undelivered = db.prepare(
    `SELECT * FROM outbox WHERE conversation_id = ? AND status IN ('failed', 'expired')
     ORDER BY created_at DESC, seq DESC LIMIT 50`,
  );
  return {
    async enqueueOutbox(items, done) {
      insertAll(items, done);
    },
    async pendingOutbox(limit, conversationId) {
      const rows = conversationId ? pendingOf.all(conversationId, limit) : pending.all(limit);
      return (rows as OutboxRow[]).map((r) => toItem(r, cipher));
    },
    async dueOutbox(now, limit) {
      return (due.all(now.getTime(), limit) as { conversation_id: string }[]).map(
        (r) => r.conversation_id,
      );
    },
    async retryOutbox(id, attempts, nextAttemptAt, error) {
      retry.run(attempts, nextAttemptAt.getTime(), error, id);
    },
    async settleOutbox(id, status, error) {
      // A sent message is not kept: the transcript has it, the outbox needs it no more.
      if (status === 'sent') remove.run(id);
      else settle.run(status, error ?? null, id);
    },
    async undelivered(conversationId) {
      return (undelivered.all(conversationId) as OutboxRow[]).map((r) => toItem(r, cipher));
    },
  };
}

/** The inbox in SQLite: one row per verified event until its turn is done. */
export function sqliteInbox(db: Database.Database, cipher: TextCipher): InboxStore {
  const insert = db.prepare(
    'INSERT INTO inbox (id, channel, event, received_at) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO NOTHING',
  );
  const insertAll = db.transaction((entries: InboxEntry[]) => {
    for (const e of entries) {
      insert.run(e.id, e.channel, cipher.seal(JSON.stringify(e.event)), e.receivedAt.getTime());
    }
  });
  const list = db.prepare(
    'SELECT * FROM inbox WHERE received_at < ? ORDER BY received_at, rowid LIMIT ?',
  );
  const remove = db.prepare('DELETE FROM inbox WHERE id = ?');
  return {
    async putInbox(entries) {
      // IMMEDIATE: the write lock is taken first, so a lock held elsewhere is waited for
      // (busy_timeout) instead of failing at once when a deferred read would have to upgrade.
      insertAll.immediate(entries);
    },
    async listInbox(before, limit) {
      const rows = list.all(before.getTime(), limit) as {
        id: string;
        channel: string;
        event: string;
        received_at: number;
      }[];
      return rows.map((r) => ({
        id: r.id,
        channel: r.channel,
        event: JSON.parse(cipher.open(r.event)),
        receivedAt: new Date(r.received_at),
      }));
    },
    async deleteInbox(id) {
      remove.run(id);
    },
  };
}
