import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
