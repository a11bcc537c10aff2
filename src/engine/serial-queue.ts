/**
 * Runs tasks one at a time per key (one conversation's messages in order) and
 * lets shutdown wait for everything in flight.
 */
export interface SerialQueue {
  run<T>(key: string, task: () => Promise<T>): Promise<T>;
  /** Resolves when every task started so far has settled. */
  drain(): Promise<void>;
  /** Number of tasks running or waiting. */
  pending(): number;
}

export function createSerialQueue(): SerialQueue {
  const tails = new Map<string, Promise<unknown>>();
  const inFlight = new Set<Promise<unknown>>();
  return {
    run(key, task) {
      const previous = tails.get(key) ?? Promise.resolve();
      const current = previous.then(task, task);
      const settled = current.catch(() => undefined);
      tails.set(key, settled);
      inFlight.add(settled);
      void settled.then(() => {
        inFlight.delete(settled);
        if (tails.get(key) === settled) tails.delete(key);
      });
      return current;
    },
    async drain() {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
    pending: () => inFlight.size,
  };
}
