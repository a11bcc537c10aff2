import type { Logger } from 'pino';
import type { Store } from '../store/store.js';

/**
 * Deletes conversations idle for longer than the retention period (default
 * 90 days), except those a counsellor kept for follow-up. Runs on every
 * instance, acts on one at a time (a lease in the store), and logs only counts.
 */
export function startRetentionJob(deps: {
  store: Store;
  logger: Logger;
  retentionDays: number;
  intervalMs?: number;
  now?: () => Date;
}): { stop(): void; runOnce(): Promise<number> } {
  const { store, logger } = deps;
  const now = deps.now ?? (() => new Date());
  async function runOnce(): Promise<number> {
    const token = await store.acquireLock('job:retention', 10 * 60_000);
    if (!token) return 0;
    try {
      const before = new Date(now().getTime() - deps.retentionDays * 24 * 3600_000);
      const deleted = await store.purgeIdleConversations(before);
      if (deleted > 0)
        logger.info(
          { deleted, retentionDays: deps.retentionDays },
          'retention: idle conversations deleted',
        );
      return deleted;
    } finally {
      await store.releaseLock('job:retention', token);
    }
  }
  const timer = setInterval(() => {
    runOnce().catch((error: unknown) => logger.error({ err: error }, 'retention job failed'));
  }, deps.intervalMs ?? 3600_000);
  timer.unref();
  void runOnce().catch((error: unknown) => logger.error({ err: error }, 'retention job failed'));
  return { stop: () => clearInterval(timer), runOnce };
}
