import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import type { TurnResult } from '../../src/core/types.js';
import type { Engine } from '../../src/engine/engine.js';
import type { Handoff } from '../../src/handoff/handoff.js';
import type { KnowledgeBase } from '../../src/knowledge/knowledge-base.js';
import { assembleEngine, type Content, loadContent } from '../../src/load-content.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';

let shared: Content | undefined;
/** The real content, loaded once per test file. */
export function content(): Content {
  shared ??= loadContent(resolve('content'), 'vi');
  return shared;
}
export const knowledge = (): KnowledgeBase => content().knowledge;

export interface Conversation {
  say(
    text: string,
    options?: { choice?: string; messageId?: string; localeHint?: string },
  ): Promise<TurnResult>;
  press(payload: string, label?: string): Promise<TurnResult>;
  engine: Engine;
  handoff: Handoff;
  store: Store;
  userId: string;
}

/** A readable driver over the real engine and a real (in-memory) SQLite store. */
export function conversation(
  options: {
    store?: Store;
    assembled?: { engine: Engine; handoff: Handoff };
    userId?: string;
    maxMessageChars?: number;
  } = {},
): Conversation {
  const store = options.store ?? createSqliteStore(':memory:');
  const { engine, handoff } =
    options.assembled ??
    assembleEngine({ store, content: content(), maxMessageChars: options.maxMessageChars ?? 2000 });
  const userId = options.userId ?? randomUUID();
  const say: Conversation['say'] = (text, o = {}) =>
    engine.handle({
      channel: 'test',
      userId,
      messageId: o.messageId ?? randomUUID(),
      text,
      ...(o.choice ? { choice: o.choice } : {}),
      ...(o.localeHint ? { localeHint: o.localeHint } : {}),
      receivedAt: new Date(),
    });
  return {
    say,
    press: (payload, label = '') => say(label, { choice: payload }),
    engine,
    handoff,
    store,
    userId,
  };
}

/** All the text a person would read in a turn. */
export const readable = (r: TurnResult) =>
  r.replies
    .map((x) => [x.title, x.text, ...(x.choices ?? []).map((c) => c.label)].join('\n'))
    .join('\n');
