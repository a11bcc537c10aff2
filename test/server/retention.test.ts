import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { startRetentionJob } from '../../src/server/retention-job.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { consoleApi, signedInCounsellor } from '../support/counsellors.js';
import { connectChat, nextEvent, startTestServer } from '../support/server.js';

describe('retention', () => {
  it('deletes conversations idle past the period, keeps follow-ups, and runs once at a time', async () => {
    const store = createSqliteStore(':memory:');
    const old = await store.openConversation('web', 'old', 'vi');
    const kept = await store.openConversation('web', 'kept', 'vi');
    await store.appendMessage({ conversationId: old.id, direction: 'in', text: 'x' });
    await store.setFollowUp(kept.id, true);
    const in91Days = () => new Date(Date.now() + 91 * 24 * 3600_000);
    const job = startRetentionJob({
      store,
      logger: pino({ level: 'silent' }),
      retentionDays: 90,
      now: in91Days,
      intervalMs: 3600_000,
    });
    await new Promise((r) => setTimeout(r, 20));
    job.stop();
    expect(await store.getConversation(old.id)).toBeUndefined();
    expect(await store.getConversation(kept.id)).toBeDefined();
    // While another instance holds the job's lease, this one does nothing.
    const other = await store.acquireLock('job:retention', 60_000);
    expect(other).toBeDefined();
    await store.setFollowUp(kept.id, false);
    expect(await job.runOnce()).toBe(0);
    await store.close();
  });

  it('lets the counsellor who owns a chat keep it for follow-up', async () => {
    const server = await startTestServer();
    const lan = await signedInCounsellor(server.store, 'lan');
    const mai = await signedInCounsellor(server.store, 'mai');
    const socket = connectChat(server.url, 'session-keep-0000000000');
    await nextEvent(socket, 'history');
    await socket.emitWithAck('message', { id: 'k1', text: 'cho em gặp tư vấn viên' });
    const { body } = await consoleApi(server.url, lan.token)('POST', '/queue/next');
    expect(
      (
        await consoleApi(server.url, mai.token)('POST', `/tickets/${body.ticket.id}/follow-up`, {
          keep: true,
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await consoleApi(server.url, lan.token)('POST', `/tickets/${body.ticket.id}/follow-up`, {
          keep: 'yes',
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await consoleApi(server.url, lan.token)('POST', `/tickets/${body.ticket.id}/follow-up`, {
          keep: true,
        })
      ).status,
    ).toBe(200);
    expect((await server.store.getConversation(body.ticket.conversationId))?.followUp).toBe(true);
    socket.close();
    await server.cleanup();
  });
});
