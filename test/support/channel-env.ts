import type { MessengerFake } from '../fakes/messenger-fake.js';

/** Settings that point the service's Messenger channel at the fake, with a fast outbox. */
export function messengerEnv(
  fake: MessengerFake,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    MESSENGER_APP_SECRET: fake.appSecret,
    MESSENGER_PAGE_ACCESS_TOKEN: fake.pageAccessToken,
    MESSENGER_VERIFY_TOKEN: fake.verifyToken,
    MESSENGER_GRAPH_URL: fake.url,
    MESSENGER_GRAPH_VERSION: fake.graphVersion,
    OUTBOX_RETRY_BASE_MS: '50',
    OUTBOX_POLL_MS: '50',
    ...extra,
  };
}
