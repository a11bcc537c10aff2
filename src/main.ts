/**
 * Composition root: the only file that picks concrete adapters. Reads the
 * configuration, loads and validates content, opens the store and starts the
 * server; stops gracefully on SIGTERM or SIGINT.
 */
import { loadConfig } from './config.js';
import { loadContent } from './load-content.js';
import { startServer } from './server/start-server.js';
import { messageCipher } from './store/message-key.js';
import { createSqliteStore } from './store/sqlite/sqlite-store.js';

async function main() {
  const config = loadConfig();
  const content = loadContent(config.CONTENT_DIR, config.DEFAULT_LOCALE);
  const cipher = messageCipher({
    ...(config.MESSAGE_KEY ? { key: config.MESSAGE_KEY } : {}),
    ...(config.MESSAGE_KEY_PREVIOUS ? { previous: config.MESSAGE_KEY_PREVIOUS } : {}),
    keyFile: config.keyFile,
    required: Boolean(config.MONGODB_URI),
  });
  // The MongoDB driver is loaded only when it is used (it costs start-up about 0.2 s).
  const store = config.MONGODB_URI
    ? await (await import('./store/mongo/mongo-store.js')).createMongoStore(config.MONGODB_URI, {
        cipher,
      })
    : createSqliteStore(config.databaseFile, { cipher });
  const server = await startServer(config, store, content);
  process.stdout.write(
    `Safe Journey is running: open ${server.url}/ (demo page with the widget)\n`,
  );
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      server.logger.info({ signal }, 'stopping');
      server.stop().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
  }
}

main().catch((error) => {
  process.stderr.write(
    `Safe Journey could not start:\n${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
