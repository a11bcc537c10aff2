import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { runHandoffStoreContract } from '../contracts/handoff-store-contract.js';
import { runStoreContract } from '../contracts/store-contract.js';

function makeSqlite() {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sj-store-'));
    const file = join(dir, 'nested', 'safe-journey.db');
    return {
      store: createSqliteStore(file),
      reopen: async () => createSqliteStore(file),
      cleanup: async () => rmSync(dir, { recursive: true, force: true }),
    };
  };
}

runStoreContract('sqlite', makeSqlite());
runHandoffStoreContract('sqlite', makeSqlite());

describe('SQLite leases and group commit', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('takes over at once a lease left by a process that is gone, never one a live process holds', async () => {
    dir = mkdtempSync(join(tmpdir(), 'sj-lease-'));
    const file = join(dir, 'safe-journey.db');
    const store = createSqliteStore(file);
    // A lease as a killed service leaves it (its pid is no longer running), and one held by a
    // running process (our parent), both far from expiry.
    const gone = spawnSync(process.execPath, ['-e', '0']).pid;
    const raw = new Database(file);
    const until = Date.now() + 60_000;
    raw.prepare('INSERT INTO locks VALUES (?, ?, ?)').run('outbox:c1', `${gone}:x`, until);
    raw.prepare('INSERT INTO locks VALUES (?, ?, ?)').run('outbox:c2', `${process.ppid}:y`, until);
    raw.close();
    const token = await store.acquireLock('outbox:c1', 60_000);
    expect(token).toMatch(new RegExp(`^${process.pid}:`));
    expect(await store.acquireLock('outbox:c1', 60_000)).toBeUndefined();
    expect(await store.acquireLock('outbox:c2', 60_000)).toBeUndefined();
    await store.close();
  });

  it('tells a writer it is stored only once its commit is on disk, and keeps writes of one tick together', async () => {
    dir = mkdtempSync(join(tmpdir(), 'sj-group-'));
    const file = join(dir, 'safe-journey.db');
    const store = createSqliteStore(file);
    const c = await store.openConversation('web', 'g1', 'vi');
    const reader = new Database(file, { readonly: true });
    const count = () =>
      (reader.prepare('SELECT count(*) AS n FROM messages').get() as { n: number }).n;
    const writes = ['một', 'hai', 'ba'].map((text) =>
      store.appendMessage({ conversationId: c.id, direction: 'in', text }),
    );
    // Another connection sees none of them before the commit, all of them once it resolves.
    expect(count()).toBe(0);
    await Promise.all(writes);
    expect(count()).toBe(3);
    reader.close();
    await store.close();
  });
});
