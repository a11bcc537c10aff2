import type Database from 'better-sqlite3';

/**
 * Group commit for SQLite. Under load a turn makes about fifteen small writes
 * (inbox, lease, message, conversation, event, outbox...), and each one alone is
 * a commit that appends its pages to the WAL again: the same hot pages written
 * hundreds of times a second. Here every write joins one open transaction that
 * commits on the next turn of the event loop, so concurrent turns share a
 * commit and a page is written once per commit.
 *
 * Durability is unchanged for callers: a write's promise settles only after the
 * COMMIT that holds it (so "stored before the 200" still means on disk), and if
 * that COMMIT fails every write in it is rejected. A statement that fails alone
 * (a constraint) is undone alone by SQLite and rejects only its own caller.
 */
export function groupCommit(db: Database.Database) {
  let pending:
    | { promise: Promise<void>; resolve: () => void; reject: (e: unknown) => void }
    | undefined;
  // Prepared once: `exec` would parse the statement again on every group.
  const begin = db.prepare('BEGIN IMMEDIATE');
  const end = db.prepare('COMMIT');
  const rollback = db.prepare('ROLLBACK');

  function commit() {
    const group = pending;
    pending = undefined;
    if (!group) return;
    try {
      // A failure that rolls back the whole transaction (disk full, I/O error) ends it early.
      if (!db.inTransaction) throw new Error('the write transaction was rolled back');
      end.run();
      group.resolve();
    } catch (error) {
      if (db.inTransaction) rollback.run();
      group.reject(error);
    }
  }

  /** The group the next write joins, opened (write lock taken, waiting busy_timeout) if none is. */
  function open() {
    if (pending) return pending;
    begin.run();
    let resolve!: () => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // Awaited by each writer; this only keeps a group nobody awaits from being "unhandled".
    promise.catch(() => {});
    pending = { promise, resolve, reject };
    setImmediate(commit);
    return pending;
  }

  return {
    /** Runs `fn` inside the current group; resolves with its value once the group is on disk. */
    async write<T>(fn: () => T | Promise<T>): Promise<T> {
      open();
      const value = await fn();
      // The group still open now holds this write (or a later one does: same guarantee).
      if (pending) await pending.promise;
      return value;
    },
    /** Settles when what has been written so far is committed. */
    async flush(): Promise<void> {
      if (pending) await pending.promise;
    },
    /** Whether a group is open (this connection holds the write lock). */
    get open() {
      return pending !== undefined;
    },
    /** Commits now (before closing). */
    commitNow: commit,
  };
}

/**
 * The store with every method not named in `reads` run as a grouped write. New
 * methods count as writes unless listed: the safe default.
 */
export function withGroupCommit<T extends object>(
  store: T,
  group: ReturnType<typeof groupCommit>,
  reads: ReadonlySet<string>,
): T {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(store)) {
    out[name] =
      typeof value === 'function' && !reads.has(name)
        ? (...args: unknown[]) => group.write(() => value(...args))
        : value;
  }
  return out as T;
}
