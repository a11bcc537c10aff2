import type { ChannelAdapter } from './channel.js';
import { createMessengerAdapter } from './messenger/messenger-adapter.js';

/** The settings the channels read (a slice of the service configuration). */
export interface ChannelConfig {
  MESSENGER_APP_SECRET?: string | undefined;
  MESSENGER_PAGE_ACCESS_TOKEN?: string | undefined;
  MESSENGER_VERIFY_TOKEN?: string | undefined;
  MESSENGER_GRAPH_URL: string;
  MESSENGER_GRAPH_VERSION: string;
}

/** Each channel and the variables it cannot run without. */
const REQUIRED: Record<string, (keyof ChannelConfig)[]> = {
  messenger: ['MESSENGER_APP_SECRET', 'MESSENGER_PAGE_ACCESS_TOKEN', 'MESSENGER_VERIFY_TOKEN'],
};

/**
 * The channels whose credentials are set, in an explicit table. A channel with
 * only some of its settings stops start-up with the names of the missing ones:
 * a half-configured webhook would reject every message in silence.
 */
export function createChannelAdapters(c: ChannelConfig): ChannelAdapter[] {
  const enabled = (name: string) => {
    const vars = REQUIRED[name] ?? [];
    const missing = vars.filter((v) => !c[v]);
    if (missing.length === vars.length) return false;
    if (missing.length) {
      throw new Error(
        `${name} is half configured: set ${missing.join(', ')} (or unset ${vars
          .filter((v) => c[v])
          .join(', ')})`,
      );
    }
    return true;
  };
  const adapters: ChannelAdapter[] = [];
  if (enabled('messenger')) {
    adapters.push(
      createMessengerAdapter({
        appSecret: c.MESSENGER_APP_SECRET as string,
        pageAccessToken: c.MESSENGER_PAGE_ACCESS_TOKEN as string,
        verifyToken: c.MESSENGER_VERIFY_TOKEN as string,
        graphUrl: c.MESSENGER_GRAPH_URL,
        graphVersion: c.MESSENGER_GRAPH_VERSION,
      }),
    );
  }
  return adapters;
}
