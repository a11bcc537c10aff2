/**
 * The process under load in bench/messenger-intake.ts, so that the load
 * generator and the Messenger fake do not share its CPU: either the real
 * service (`service`), a bare express server that only checks the signature
 * (`bare`), or the Messenger fake's Graph API (`graph`), which reports every
 * send it accepts. Settings come from the environment; each reports its URL over IPC.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { loadConfig } from '../src/config.js';
import { loadContent } from '../src/load-content.js';
import { startServer } from '../src/server/start-server.js';
import { createSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { type MessengerSend, startMessengerFake } from '../test/fakes/messenger-fake.js';

const send = (message: unknown) => {
  if (process.connected) process.send?.(message);
};

if (process.argv[2] === 'graph') {
  // The Messenger fake's Graph API on its own, reporting each accepted send by PSID.
  const fake = await startMessengerFake();
  const senders = Number(process.env.SENDERS ?? 200);
  for (let i = 0; i < senders; i++) fake.setLastUserMessage(`psid-${i}`, Date.now());
  const push = fake.sent.push.bind(fake.sent);
  fake.sent.push = (...items: MessengerSend[]) => {
    for (const item of items) send(item.psid);
    return push(...items);
  };
  send({ url: fake.url, graphVersion: fake.graphVersion, rejected: 0 });
  setInterval(() => send({ rejected: fake.rejected.length }), 1000).unref();
  process.on('disconnect', () => void fake.close());
} else if (process.argv[2] === 'bare') {
  const secret = process.env.MESSENGER_APP_SECRET ?? '';
  const app = express();
  app.post('/webhooks/messenger', express.raw({ type: () => true }), (req, res) => {
    const expected = `sha256=${createHmac('sha256', secret).update(req.body).digest('hex')}`;
    res.sendStatus(req.get('x-hub-signature-256') === expected ? 200 : 401);
  });
  const server = app.listen(0, '127.0.0.1', () =>
    send({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }),
  );
  process.on('disconnect', () => server.close());
} else {
  const dataDir = mkdtempSync(join(tmpdir(), 'sj-bench-'));
  const config = loadConfig({ ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir });
  const service = await startServer(
    config,
    createSqliteStore(config.databaseFile),
    loadContent(config.CONTENT_DIR, config.DEFAULT_LOCALE),
  );
  send({ url: service.url });
  process.on('disconnect', async () => {
    await service.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
}
