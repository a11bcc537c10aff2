/**
 * npm run demo:channel -- messenger|line|zalo|botframework
 *
 * A local demo of one messaging channel without any platform account: the
 * platform's fake from test/fakes/ plays the platform (it signs the webhooks
 * and checks every send), the real service runs on ./data/demo-<channel>/,
 * and you type as the person. A number picks one of the offered choices.
 */
import { createInterface } from 'node:readline';
import { loadConfig } from '../src/config.js';
import type { Choice } from '../src/core/types.js';
import { loadContent } from '../src/load-content.js';
import { startServer } from '../src/server/start-server.js';
import { messageCipher } from '../src/store/message-key.js';
import { createSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { startBotFrameworkFake } from '../test/fakes/botframework-fake.js';
import { startLineFake } from '../test/fakes/line-fake.js';
import { startMessengerFake } from '../test/fakes/messenger-fake.js';
import { startZaloFake } from '../test/fakes/zalo-fake.js';

interface Shown {
  text: string;
  choices: Choice[];
}

/** One platform as the demo drives it: its settings, how a person writes, what the bot sent. */
interface DemoChannel {
  env: Record<string, string>;
  say(base: string, text: string, choice?: Choice): Promise<void>;
  /** Everything the platform received from the bot, in order. */
  shown(): Shown[];
  close(): Promise<void>;
}

const USER = 'demo-person';

async function messenger(): Promise<DemoChannel> {
  const f = await startMessengerFake();
  return {
    env: {
      MESSENGER_APP_SECRET: f.appSecret,
      MESSENGER_PAGE_ACCESS_TOKEN: f.pageAccessToken,
      MESSENGER_VERIFY_TOKEN: f.verifyToken,
      MESSENGER_GRAPH_URL: f.url,
      MESSENGER_GRAPH_VERSION: f.graphVersion,
    },
    async say(base, text, choice) {
      const event = choice ? f.quickReply(USER, choice.label, choice.payload) : f.text(USER, text);
      await f.deliver(`${base}/webhooks/messenger`, [event]);
    },
    shown: () =>
      f.sent.map((s) => ({
        text: s.body.message.text,
        choices: (s.body.message.quick_replies ?? []).map(
          (q: { title: string; payload: string }) => ({
            label: q.title,
            payload: q.payload,
          }),
        ),
      })),
    close: () => f.close(),
  };
}

async function line(): Promise<DemoChannel> {
  const f = await startLineFake();
  return {
    env: {
      LINE_CHANNEL_SECRET: f.channelSecret,
      LINE_CHANNEL_ACCESS_TOKEN: f.channelAccessToken,
      LINE_API_URL: f.url,
    },
    async say(base, text, choice) {
      const event = choice ? f.postback(USER, choice.payload) : f.text(USER, text);
      await f.deliver(`${base}/webhooks/line`, [event]);
    },
    shown: () =>
      f.sent.flatMap((s) =>
        s.messages.map((m) => ({
          text: m.text,
          choices: (m.quickReply?.items ?? []).map(
            (i: { action: { label: string; data: string } }) => ({
              label: i.action.label,
              payload: i.action.data,
            }),
          ),
        })),
      ),
    close: () => f.close(),
  };
}

async function zalo(): Promise<DemoChannel> {
  const f = await startZaloFake();
  return {
    env: {
      ZALO_APP_ID: f.appId,
      ZALO_APP_SECRET: f.appSecret,
      ZALO_OA_SECRET_KEY: f.oaSecretKey,
      ZALO_REFRESH_TOKEN: f.tokens.refreshToken,
      ZALO_API_URL: f.url,
      ZALO_OAUTH_URL: f.url,
    },
    async say(base, text, choice) {
      // A pressed Zalo button comes back as the person's text: its payload.
      await f.deliver(`${base}/webhooks/zalo`, f.text(USER, choice ? choice.payload : text));
    },
    shown: () =>
      f.sent.map((s) => ({
        text: s.message.text,
        choices: (s.message.attachment?.payload?.buttons ?? []).map(
          (b: { title: string; payload: string }) => ({ label: b.title, payload: b.payload }),
        ),
      })),
    close: () => f.close(),
  };
}

async function botframework(): Promise<DemoChannel> {
  const f = await startBotFrameworkFake();
  return {
    env: { BOTFRAMEWORK_ANONYMOUS: 'true' },
    async say(base, text, choice) {
      const activity = choice
        ? f.message(USER, choice.label, { value: { payload: choice.payload } })
        : f.message(USER, text);
      await f.send(`${base}/api/messages`, activity);
    },
    shown: () =>
      f.messages().map((m) => ({
        text: m.activity.text,
        choices: (m.activity.suggestedActions?.actions ?? []).map(
          (a: { title: string; value: { payload: string } }) => ({
            label: a.title,
            payload: a.value.payload,
          }),
        ),
      })),
    close: () => f.close(),
  };
}

const channels = { messenger, line, zalo, botframework };

async function main() {
  const name = (process.argv[2] ?? 'messenger') as keyof typeof channels;
  if (!(name in channels)) {
    console.error(`usage: npm run demo:channel -- ${Object.keys(channels).join('|')}`);
    process.exit(2);
  }
  const platform = await channels[name]();
  const config = loadConfig({
    ...process.env,
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: `./data/demo-${name}`,
    LOG_LEVEL: 'warn',
    OUTBOX_POLL_MS: '100',
    ...platform.env,
  });
  const store = createSqliteStore(config.databaseFile, {
    cipher: messageCipher({ keyFile: config.keyFile, required: false }),
  });
  const service = await startServer(config, store, loadContent(config.CONTENT_DIR, 'vi'));
  console.log(
    `${name} demo: the service is at ${service.url}; type as the person (empty line ends).`,
  );

  const rl = createInterface({ input: process.stdin, output: process.stdout, prompt: '> ' });
  let seen = 0;
  let choices: Choice[] = [];
  rl.prompt();
  for await (const raw of rl) {
    const line = raw.trim();
    if (!line) break;
    const picked = /^\d+$/.test(line) ? choices[Number(line) - 1] : undefined;
    await platform.say(service.url, line, picked);
    await new Promise((r) => setTimeout(r, 600));
    for (const m of platform.shown().slice(seen)) {
      console.log(`\n${m.text}`);
      for (const [i, c] of m.choices.entries()) console.log(`  ${i + 1}. ${c.label}`);
      if (m.choices.length) choices = m.choices;
    }
    seen = platform.shown().length;
    rl.prompt();
  }
  rl.close();
  await service.stop();
  await platform.close();
}

await main();
