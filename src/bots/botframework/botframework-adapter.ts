import type { ChannelAdapter } from '../channel.js';

/** Placeholder until the BotFramework adapter lands: enabling the channel says so plainly. */
export function createBotFrameworkAdapter(_settings: unknown, _deps?: unknown): ChannelAdapter {
  throw new Error('the botframework channel is not built yet');
}
