/**
 * Schema migrations, applied in order at start. Never edit a shipped
 * migration: add a new one. `user_version` records how far a file has come.
 */
export const migrations: string[] = [
  `
  CREATE TABLE conversations (
    id TEXT PRIMARY KEY,
    channel TEXT NOT NULL,
    user_id TEXT NOT NULL,
    locale TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'bot',
    urgency TEXT NOT NULL DEFAULT 'none',
    context TEXT NOT NULL DEFAULT '{}',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (channel, user_id)
  );
  CREATE TABLE messages (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    text TEXT NOT NULL,
    reply TEXT,
    choice TEXT,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX messages_by_conversation ON messages (conversation_id, seq);
  CREATE TABLE processed_messages (
    channel TEXT NOT NULL,
    message_id TEXT NOT NULL,
    processed_at INTEGER NOT NULL,
    PRIMARY KEY (channel, message_id)
  );
  CREATE INDEX processed_by_time ON processed_messages (processed_at);
  `,
  `
  CREATE TABLE tickets (
    id TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    channel TEXT NOT NULL,
    locale TEXT NOT NULL,
    level TEXT NOT NULL,
    signals TEXT NOT NULL DEFAULT '[]',
    reason TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'claimed', 'closed')),
    owner_id TEXT,
    opened_at INTEGER NOT NULL,
    claimed_at INTEGER,
    closed_at INTEGER,
    outcome TEXT
  );
  -- One open ticket per conversation.
  CREATE UNIQUE INDEX one_open_ticket ON tickets (conversation_id) WHERE status != 'closed';
  CREATE INDEX tickets_by_status ON tickets (status, opened_at);
  CREATE TABLE counsellors (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('counsellor', 'supervisor', 'admin')),
    password_hash TEXT NOT NULL,
    languages TEXT NOT NULL DEFAULT '[]',
    available INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
  );
  CREATE TABLE counsellor_sessions (
    token_hash TEXT PRIMARY KEY,
    counsellor_id TEXT NOT NULL REFERENCES counsellors(id) ON DELETE CASCADE,
    expires_at INTEGER NOT NULL
  );
  CREATE TABLE audit_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    counsellor_id TEXT NOT NULL,
    action TEXT NOT NULL,
    ticket_id TEXT,
    conversation_id TEXT
  );
  `,
  `
  CREATE TABLE canned_replies (
    id TEXT PRIMARY KEY,
    locale TEXT NOT NULL,
    title TEXT NOT NULL,
    text TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX tickets_by_opened ON tickets (opened_at);
  `,
  `
  CREATE TABLE locks (key TEXT PRIMARY KEY, token TEXT NOT NULL, expires_at INTEGER NOT NULL);
  ALTER TABLE tickets ADD COLUMN alerted_at INTEGER;
  `,
  `
  CREATE TABLE datasets (name TEXT PRIMARY KEY, value TEXT NOT NULL, updated_at INTEGER NOT NULL);
  `,
  `
  ALTER TABLE conversations ADD COLUMN follow_up INTEGER NOT NULL DEFAULT 0;
  CREATE INDEX conversations_by_activity ON conversations (updated_at);
  `,
  `
  CREATE TABLE report_events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL, channel TEXT NOT NULL, kind TEXT NOT NULL,
    intent TEXT, topic TEXT, urgency TEXT, locale TEXT, outcome TEXT, detail TEXT, agency TEXT,
    caller_type TEXT, gender TEXT, province TEXT, region TEXT, wait_seconds INTEGER
  );
  CREATE INDEX report_events_by_time ON report_events (kind, at);
  `,
  `
  CREATE TABLE report_counts (
    day TEXT NOT NULL, kind TEXT NOT NULL, channel TEXT NOT NULL, field TEXT NOT NULL, key TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (kind, field, day, channel, key)
  );
  `,
  `
  CREATE TABLE outbox (
    id TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL,
    channel TEXT NOT NULL, user_id TEXT NOT NULL, seq INTEGER NOT NULL,
    payload TEXT, meta TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL, created_at INTEGER NOT NULL, error TEXT
  );
  CREATE INDEX outbox_pending ON outbox (status, created_at, seq);
  CREATE INDEX outbox_by_conversation ON outbox (conversation_id, status);
  `,
  `
  CREATE TABLE knowledge_gaps (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL, locale TEXT NOT NULL, channel TEXT NOT NULL, text TEXT NOT NULL
  );
  CREATE INDEX knowledge_gaps_by_time ON knowledge_gaps (at);
  `,
  `
  CREATE TABLE inbox (
    id TEXT PRIMARY KEY, channel TEXT NOT NULL, event TEXT NOT NULL, received_at INTEGER NOT NULL
  );
  CREATE INDEX inbox_by_time ON inbox (received_at);
  `,
  // One person's pending messages, in order: without it the planner walks every pending row
  // of every conversation (outbox_pending) to find one person's, under load hundreds of them.
  `
  CREATE INDEX outbox_pending_by_conversation ON outbox (conversation_id, status, created_at, seq);
  DROP INDEX outbox_by_conversation;
  `,
];
