import type Database from 'better-sqlite3';

interface Waiting {
  run: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit for SQLite. Under load a turn makes about fifteen small writes
 * (inbox, lease, message, conversation, event, outbox...), and each one alone is
 * a commit that appends its pages to the WAL again: the same hot pages written
 * hundreds of times a second. Here the writes asked for during one turn of the
 * event loop run together, in one transaction, on the next: concurrent turns
 * share a commit and a page is written once per commit.
 *
 * Durability is unchanged for callers: a write's promise settles only after the
 * COMMIT that holds it (so "stored before the 200" still means on disk), and if
 * that COMMIT fails every write in it is rejected. A write that fails (a
 * constraint) rejects only its own caller: a statement is undone alone by
 * SQLite, and a store method of several statements uses its own (nested)
 * transaction. The transaction is opened and committed in one synchronous
 * step, never held across turns of the event loop: another connection of the
 * same process waiting for the lock can never wait on us.
 */
export function groupCommit(db: Database.Database) {
  let queue: Waiting[] = [];
  const runAll = db.transaction((batch: Waiting[]) =>
    batch.map((w) => {
      try {
        return { ok: true as const, value: w.run() };
      } catch (error) {
        return { ok: false as const, error };
      }
    }),
  );

  function flush() {
    const batch = queue;
    queue = [];
    if (batch.length === 0) return;
    let outcomes: ReturnType<typeof runAll>;
    try {
      // IMMEDIATE: the write lock first, so a lock held elsewhere is waited for (busy_timeout).
      outcomes = runAll.immediate(batch);
    } catch (error) {
      for (const w of batch) w.reject(error);
      return;
    }
    batch.forEach((w, i) => {
      const outcome = outcomes[i];
      if (outcome?.ok) w.resolve(outcome.value);
      else w.reject(outcome?.error);
    });
  }

  return {
    /** Runs `fn` with the writes of this turn of the event loop; settles once on disk. */
    write<T>(fn: () => T): Promise<Awaited<T>> {
      return new Promise((resolve, reject) => {
        if (queue.length === 0) setImmediate(flush);
        queue.push({ run: fn, resolve: resolve as (v: unknown) => void, reject });
      }).then((value) => value as Awaited<T>);
    },
    /** Writes what is waiting now (before closing). */
    flush,
  };
}

/**
 * The store with every method not named in `reads` run as a grouped write. New
 * methods count as writes unless listed: the safe default. The store's methods
 * are async only in shape (better-sqlite3 is synchronous), so a method's
 * statements all run inside the group's transaction.
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
