import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { loadConfig } from '../../src/config.js';
import { loadContent } from '../../src/load-content.js';
import { type RunningServer, startServer } from '../../src/server/start-server.js';
import { messageCipher } from '../../src/store/message-key.js';
import { createMongoStore } from '../../src/store/mongo/mongo-store.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';

export interface TestServer extends RunningServer {
  dataDir: string;
  /** Stops this server and starts a new one on the same data folder (a restart). */
  restart(): Promise<TestServer>;
  cleanup(): Promise<void>;
}

/** A real server on 127.0.0.1 with a real SQLite file in a temporary folder. */
export async function startTestServer(
  env: Record<string, string> = {},
  dataDir = mkdtempSync(join(tmpdir(), 'sj-server-')),
  /** When given, every log line is collected here instead of printed. */
  logs?: string[],
): Promise<TestServer> {
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    QUICK_EXIT_URL: 'https://neutral.example/weather',
    ...env,
  });
  const content = loadContent(config.CONTENT_DIR, config.DEFAULT_LOCALE);
  const sink = logs ? { write: (line: string) => void logs.push(line) } : undefined;
  // MONGODB_URI in env: the same server on MongoDB (the key must then come from MESSAGE_KEY).
  const store = config.MONGODB_URI
    ? await createMongoStore(config.MONGODB_URI, {
        cipher: messageCipher({ key: config.MESSAGE_KEY, required: true }),
      })
    : createSqliteStore(config.databaseFile, {
        cipher: messageCipher({ keyFile: config.keyFile, required: false }),
      });
  const server = await startServer(config, store, content, sink);
  return {
    ...server,
    dataDir,
    async restart() {
      await server.stop();
      // Same port, so a client that was connected can reconnect on its own.
      return startTestServer({ ...env, PORT: new URL(server.url).port }, dataDir, logs);
    },
    async cleanup() {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A widget-like Socket.IO client on `/chat`. */
export function connectChat(url: string, session: string, lang = 'vi'): Socket {
  return io(`${url}/chat`, { auth: { session, lang }, transports: ['websocket'], forceNew: true });
}

export function nextEvent<T>(socket: Socket, event: string): Promise<T> {
  return new Promise((resolve) => socket.once(event, resolve));
}

/** Settings for a test server on its own fresh MongoDB database (MONGODB_URI must be set). */
export function mongoEnv(mongoUri: string): Record<string, string> {
  const url = new URL(mongoUri);
  url.pathname = `/sj_test_${randomBytes(5).toString('hex')}`;
  return { MONGODB_URI: url.toString(), MESSAGE_KEY: randomBytes(32).toString('base64') };
}
