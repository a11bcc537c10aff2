import type { ChannelAdapter } from '../channel.js';

/** Placeholder until the Line adapter lands: enabling the channel says so plainly. */
export function createLineAdapter(_settings: unknown, _deps?: unknown): ChannelAdapter {
  throw new Error('the line channel is not built yet');
}
