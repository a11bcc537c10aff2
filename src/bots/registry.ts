import type { ChannelAdapter, ChannelState } from './channel.js';
import { createMessengerAdapter } from './messenger/messenger-adapter.js';
import { createZaloAdapter } from './zalo/zalo-adapter.js';

/** The settings the channels read (a slice of the service configuration). */
export interface ChannelConfig {
  MESSENGER_APP_SECRET?: string | undefined;
  MESSENGER_PAGE_ACCESS_TOKEN?: string | undefined;
  MESSENGER_VERIFY_TOKEN?: string | undefined;
  MESSENGER_GRAPH_URL: string;
  MESSENGER_GRAPH_VERSION: string;
  LINE_CHANNEL_SECRET?: string | undefined;
  LINE_CHANNEL_ACCESS_TOKEN?: string | undefined;
  LINE_API_URL: string;
  LINE_LABEL_LIMIT: number;
  ZALO_APP_ID?: string | undefined;
  ZALO_APP_SECRET?: string | undefined;
  ZALO_OA_SECRET_KEY?: string | undefined;
  ZALO_REFRESH_TOKEN?: string | undefined;
  ZALO_API_URL: string;
  ZALO_OAUTH_URL: string;
  ZALO_BUTTON_LIMIT: number;
  ZALO_BUTTON_TITLE_LIMIT: number;
  BOTFRAMEWORK_APP_ID?: string | undefined;
  BOTFRAMEWORK_APP_PASSWORD?: string | undefined;
  BOTFRAMEWORK_TENANT_ID?: string | undefined;
  BOTFRAMEWORK_ANONYMOUS: 'true' | 'false';
  BOTFRAMEWORK_TEXT_LIMIT: number;
  BOTFRAMEWORK_ACTION_LIMIT: number;
  NODE_ENV: string;
}

export interface ChannelDeps {
  state: ChannelState;
}

/** Each channel and the variables it cannot run without. */
const REQUIRED: Record<string, (keyof ChannelConfig)[]> = {
  messenger: ['MESSENGER_APP_SECRET', 'MESSENGER_PAGE_ACCESS_TOKEN', 'MESSENGER_VERIFY_TOKEN'],
  line: ['LINE_CHANNEL_SECRET', 'LINE_CHANNEL_ACCESS_TOKEN'],
  zalo: ['ZALO_APP_ID', 'ZALO_APP_SECRET', 'ZALO_OA_SECRET_KEY', 'ZALO_REFRESH_TOKEN'],
  botframework: ['BOTFRAMEWORK_APP_ID', 'BOTFRAMEWORK_APP_PASSWORD'],
};

/** True when every variable of a channel is set, false when none is; throws when only some are. */
function enabled(c: ChannelConfig, name: string): boolean {
  const vars = REQUIRED[name] ?? [];
  const missing = vars.filter((v) => !c[v]);
  if (missing.length === vars.length) return false;
  if (missing.length) {
    const set = vars.filter((v) => c[v]);
    throw new Error(
      `${name} is half configured: set ${missing.join(', ')} (or unset ${set.join(', ')})`,
    );
  }
  return true;
}

/**
 * The channels whose credentials are set, in an explicit table. A channel with
 * only some of its settings stops start-up with the names of the missing ones:
 * a half-configured webhook would reject every message in silence. The LINE and
 * Bot Framework SDKs are loaded only when their channel is on (together they
 * cost start-up about 0.4 s).
 */
export async function createChannelAdapters(
  c: ChannelConfig,
  deps: ChannelDeps,
): Promise<ChannelAdapter[]> {
  const adapters: ChannelAdapter[] = [];
  if (enabled(c, 'messenger')) {
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
  if (enabled(c, 'line')) {
    const { createLineAdapter } = await import('./line/line-adapter.js');
    adapters.push(
      createLineAdapter({
        channelSecret: c.LINE_CHANNEL_SECRET as string,
        channelAccessToken: c.LINE_CHANNEL_ACCESS_TOKEN as string,
        apiUrl: c.LINE_API_URL,
        labelLimit: c.LINE_LABEL_LIMIT,
      }),
    );
  }
  if (enabled(c, 'zalo')) {
    adapters.push(
      createZaloAdapter(
        {
          appId: c.ZALO_APP_ID as string,
          appSecret: c.ZALO_APP_SECRET as string,
          oaSecretKey: c.ZALO_OA_SECRET_KEY as string,
          refreshToken: c.ZALO_REFRESH_TOKEN as string,
          apiUrl: c.ZALO_API_URL,
          oauthUrl: c.ZALO_OAUTH_URL,
          buttonLimit: c.ZALO_BUTTON_LIMIT,
          buttonTitleLimit: c.ZALO_BUTTON_TITLE_LIMIT,
        },
        deps,
      ),
    );
  }
  const anonymous = c.BOTFRAMEWORK_ANONYMOUS === 'true';
  if (enabled(c, 'botframework') || anonymous) {
    if (anonymous && c.NODE_ENV === 'production') {
      throw new Error('BOTFRAMEWORK_ANONYMOUS=true is refused when NODE_ENV=production');
    }
    const { createBotFrameworkAdapter } = await import('./botframework/botframework-adapter.js');
    adapters.push(
      createBotFrameworkAdapter({
        ...(c.BOTFRAMEWORK_APP_ID ? { appId: c.BOTFRAMEWORK_APP_ID } : {}),
        ...(c.BOTFRAMEWORK_APP_PASSWORD ? { appPassword: c.BOTFRAMEWORK_APP_PASSWORD } : {}),
        ...(c.BOTFRAMEWORK_TENANT_ID ? { tenantId: c.BOTFRAMEWORK_TENANT_ID } : {}),
        anonymous,
        textLimit: c.BOTFRAMEWORK_TEXT_LIMIT,
        actionLimit: c.BOTFRAMEWORK_ACTION_LIMIT,
      }),
    );
  }
  return adapters;
}
