import type { Store } from '../store/store.js';

/**
 * Runs `task` while holding the store's lease on `key`, so that no two
 * instances run turns of one conversation at once. Waits for a busy lease
 * (short polls with backoff) up to `waitMs`, then gives up with an error
 * before anything was recorded, so the message can be delivered again.
 */
export async function withLease<T>(
  store: Store,
  key: string,
  task: () => Promise<T>,
  { ttlMs = 30_000, waitMs = 15_000 } = {},
): Promise<T> {
  const deadline = Date.now() + waitMs;
  let delay = 5;
  let token = await store.acquireLock(key, ttlMs);
  while (!token) {
    if (Date.now() > deadline) throw new Error(`conversation busy on another instance: ${key}`);
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 100);
    token = await store.acquireLock(key, ttlMs);
  }
  try {
    return await task();
  } finally {
    await releaseLease(store, key, token, ttlMs);
  }
}

/**
 * Gives a lease back. When the store cannot be reached (it is down, the very
 * failure a task often ends on), trying again in the background until the lease
 * would have expired anyway frees the conversation seconds after the store is
 * back rather than a whole lease later. The caller is not held up.
 */
export async function releaseLease(store: Store, key: string, token: string, ttlMs: number) {
  const until = Date.now() + ttlMs;
  let delay = 500;
  const attempt = (): Promise<void> =>
    store.releaseLock(key, token).catch(() => {
      if (Date.now() + delay >= until) return;
      setTimeout(() => void attempt(), delay).unref();
      delay = Math.min(delay * 2, 5000);
    });
  await attempt();
}
