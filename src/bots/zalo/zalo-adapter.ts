import { Router } from 'express';
import type { ChannelAdapter, ChannelState } from '../channel.js';
import { header, signedWebhook } from '../webhook.js';
import { postCs, refreshTokens, TOKEN_ERRORS, zaloError } from './zalo-client.js';
import { parseZaloBody, verifyZaloSignature } from './zalo-events.js';
import { renderZalo, type ZaloMessage } from './zalo-render.js';
import { createZaloTokens } from './zalo-tokens.js';

/** What the registry passes from the configuration (src/config.ts ZALO_*). */
export interface ZaloSettings {
  /** Numeric App ID as a string: the first term of the webhook MAC and the OAuth `app_id` (§1.2, §1.4). */
  appId: string;
  /** App Secret: the OAuth `secret_key` header (§1.2). */
  appSecret: string;
  /** OA Secret Key from the webhook page: signs webhooks; not the App Secret (§1.4). */
  oaSecretKey: string;
  /** The first refresh token; after the first refresh the stored pair is used (§1.2). */
  refreshToken: string;
  /** OpenAPI base URL (https://openapi.zalo.me); tests point it at the fake. */
  apiUrl: string;
  /** OAuth base URL (https://oauth.zaloapp.com). */
  oauthUrl: string;
  /** Template buttons per message. UNCONFIRMED (§1.6); default 5. */
  buttonLimit: number;
  /** Characters per button title. UNCONFIRMED (§1.6); default 100. */
  buttonTitleLimit: number;
  /** Before each button payload: "query payload should start with #" (§1.6). Default '#'. */
  queryPrefix?: string;
}

export interface ZaloDeps {
  /** Shared durable state: the rotating token pair and the refresh lease. */
  state: ChannelState;
}

/**
 * Zalo Official Account (shared/reference/channels.md §1): webhooks signed
 * with a plain SHA-256 MAC, customer-service messages with template buttons,
 * and OA tokens that rotate on every refresh. Zalo has no typing indicator
 * (§1.6), so `typing` is absent.
 */
export function createZaloAdapter(s: ZaloSettings, deps: ZaloDeps): ChannelAdapter {
  const apiUrl = s.apiUrl.replace(/\/$/, '');
  const oauthUrl = s.oauthUrl.replace(/\/$/, '');
  const queryPrefix = s.queryPrefix ?? '#';
  const tokens = createZaloTokens({
    state: deps.state,
    initialRefreshToken: s.refreshToken,
    refresh: (refreshToken) => refreshTokens(oauthUrl, s.appId, s.appSecret, refreshToken),
  });
  const limits = {
    buttonLimit: s.buttonLimit,
    buttonTitleLimit: s.buttonTitleLimit,
    queryPrefix,
  };

  return {
    name: 'zalo',
    path: '/webhooks/zalo',
    router(hooks) {
      const router = Router();
      // No GET handshake on Zalo (§1.4): only signed POSTs, answered at once (2 s deadline, §1.3).
      router.post(
        '/',
        ...signedWebhook({
          hooks,
          verify: (raw, headers) =>
            verifyZaloSignature(raw, header(headers, 'x-zevent-signature'), s.appId, s.oaSecretKey),
          parse: (body) => parseZaloBody(body, queryPrefix),
        }),
      );
      return router;
    },
    render: (replies) => renderZalo(replies, limits),
    async send(userId, message) {
      const body = { recipient: { user_id: userId }, message: message as ZaloMessage };
      const token = await tokens.accessToken();
      let code = await postCs(apiUrl, token, body);
      // An invalid or expired token: refresh once and try once more (§1.2).
      if (TOKEN_ERRORS.has(code)) code = await postCs(apiUrl, await tokens.renew(token), body);
      if (code !== 0) throw zaloError(code);
      return { via: 'send' };
    },
  };
}
