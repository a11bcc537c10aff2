import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ChatAck } from '../../src/server/chat-gateway.js';
import { messageCipher } from '../../src/store/message-key.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { connectChat, nextEvent, startTestServer } from '../support/server.js';

describe('service basics', () => {
  it('never writes message text or session keys to the logs, even at trace level', async () => {
    const logs: string[] = [];
    const server = await startTestServer({ LOG_LEVEL: 'trace' }, undefined, logs);
    const session = 'secret-session-key-1234567890';
    const socket = connectChat(server.url, session);
    await nextEvent(socket, 'history');
    const secretText = 'em tên Nguyễn Thị Hoa số 0912345678 bị giữ hộ chiếu';
    const ack: ChatAck = await socket.emitWithAck('message', { id: 'p1', text: secretText });
    expect(ack.ok).toBe(true);
    await socket.emitWithAck('message', { id: 'p2', text: 'x'.repeat(5000) });
    await socket.emitWithAck('message', { id: 'bad id!', text: secretText });
    socket.close();
    await server.cleanup();
    const all = logs.join('\n');
    expect(logs.length).toBeGreaterThan(0);
    expect(all).not.toContain('Hoa');
    expect(all).not.toContain('0912345678');
    expect(all).not.toContain('hộ chiếu');
    expect(all).not.toContain(session);
  });

  it('finishes a turn already in flight when it is stopped, and loses nothing', async () => {
    const server = await startTestServer();
    const session = 'session-graceful-000000';
    const socket = connectChat(server.url, session);
    await nextEvent(socket, 'history');
    const sent = new Promise<void>((resolve) => socket.io.engine.once('drain', () => resolve()));
    socket.emit('message', { id: 'g1', text: 'tổng đài 111 là gì' });
    await sent;
    await new Promise((r) => setTimeout(r, 20));
    await server.stop();
    socket.close();
    const cipher = messageCipher({ keyFile: join(server.dataDir, 'message.key'), required: false });
    const store = createSqliteStore(join(server.dataDir, 'safe-journey.db'), { cipher });
    const userId = createHash('sha256').update(session).digest('base64url');
    const conversation = await store.findConversation('web', userId);
    const messages = conversation ? await store.listMessages(conversation.id) : [];
    expect(messages.map((m) => m.direction)).toEqual(['in', 'out']);
    expect(messages[1]?.reply?.topicId).toBe('hotline-111');
    await store.close();
    await server.cleanup();
  });
});

describe('readiness', () => {
  it('reports a store it cannot reach as not ready, while staying alive', async () => {
    const server = await startTestServer();
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    await server.store.close();
    const res = await fetch(`${server.url}/readyz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: 'store unavailable' });
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    await server.cleanup();
  });
});

describe('architecture', () => {
  // Who may import whom (shared/architecture.md): a broken rule fails here.
  const rules: Record<string, string[]> = {
    core: ['core'],
    flows: ['core', 'flows'],
    knowledge: ['core', 'knowledge'],
    handoff: ['core', 'handoff', 'store/store.ts'],
    engine: ['core', 'flows', 'knowledge', 'handoff', 'engine', 'store/store.ts'],
    store: ['core', 'store'],
    bots: ['core', 'bots'],
  };
  function files(dir: string): string[] {
    if (!existsSync(dir)) return [];
    return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory()
        ? files(join(dir, e.name))
        : e.name.endsWith('.ts')
          ? [join(dir, e.name)]
          : [],
    );
  }
  it('keeps every module to the imports it is allowed', () => {
    const broken: string[] = [];
    for (const [module, allowed] of Object.entries(rules)) {
      for (const file of files(join('src', module))) {
        const source = readFileSync(file, 'utf8');
        for (const [, spec] of source.matchAll(/from '(\.[^']+)'/g)) {
          const target = relative('src', join(file, '..', spec as string)).replace(/\.js$/, '.ts');
          if (module === 'store' && file.includes('/sqlite/') && target.startsWith('store/'))
            continue;
          // A channel adapter uses the shared bots/ files, never another channel's folder.
          const [, channel] = relative('src', file).split('/');
          const [, targetChannel, rest] = target.split('/');
          if (
            module === 'bots' &&
            rest !== undefined &&
            targetChannel !== channel &&
            !file.endsWith('registry.ts')
          )
            broken.push(`${file} → ${target}`);
          if (!allowed.some((a) => target === a || target.startsWith(`${a}/`)))
            broken.push(`${file} → ${target}`);
        }
      }
    }
    expect(broken).toEqual([]);
  });
});
