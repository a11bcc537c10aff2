import type { consoleApi } from './counsellors.js';

/** Polls an async check until it returns a value (not undefined) or the time is up. */
export async function pollUntil<T>(
  check: () => Promise<T | undefined>,
  timeoutMs = 5000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The id of the first queued ticket in the console, once there is one. */
export function pollQueue(api: ReturnType<typeof consoleApi>): Promise<string> {
  return pollUntil(async () => {
    const q = await api('GET', '/queue');
    return (q.body.queued[0] as { id: string } | undefined)?.id;
  });
}
