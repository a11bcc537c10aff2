import type { ChannelAdapter } from '../channel.js';

/** Placeholder until the Zalo adapter lands: enabling the channel says so plainly. */
export function createZaloAdapter(_settings: unknown, _deps?: unknown): ChannelAdapter {
  throw new Error('the zalo channel is not built yet');
}
