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
];
