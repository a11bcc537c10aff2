import type { Db } from 'mongodb';
import type { InboxStore, OutboxItem, OutboxStore } from '../store.js';
import type { TextCipher } from '../text-cipher.js';
import { isDuplicate, markProcessedIn } from './mongo-store.js';

/** The payload is a sealed string; a sent item is deleted. */
interface OutboxDoc extends Omit<OutboxItem, 'id' | 'payload' | 'error'> {
  _id: string;
  payload?: string;
  error?: string;
}

/** The outbox in MongoDB: `_id` is the item id, so a redelivered turn cannot enqueue twice. */
export async function mongoOutbox(db: Db, cipher: TextCipher): Promise<OutboxStore> {
  const outbox = db.collection<OutboxDoc>('outbox');
  await outbox.createIndex({ status: 1, createdAt: 1, seq: 1 });
  await outbox.createIndex({ conversationId: 1, status: 1 });
  const toItem = ({ _id, payload, ...rest }: OutboxDoc): OutboxItem => ({
    id: _id,
    ...rest,
    payload: payload === undefined ? undefined : JSON.parse(cipher.open(payload)),
  });
  const inbox = db.collection<{ _id: string }>('inbox');
  return {
    async enqueueOutbox(items, done) {
      for (const { id, payload, ...rest } of items) {
        try {
          await outbox.insertOne({
            _id: id,
            ...rest,
            payload: cipher.seal(JSON.stringify(payload)),
            status: 'pending',
            attempts: 0,
            nextAttemptAt: rest.createdAt,
          });
        } catch (error) {
          if (!isDuplicate(error)) throw error;
        }
      }
      // No transactions on every MongoDB-compatible server, so the order carries the promise:
      // replies first (a turn run again finds its items by id), then the mark, then the inbox.
      if (done?.processed)
        await markProcessedIn(db, done.processed.channel, done.processed.messageId);
      if (done?.inboxId) await inbox.deleteOne({ _id: done.inboxId });
    },
    async pendingOutbox(limit, conversationId) {
      const docs = await outbox
        .find({ status: 'pending', ...(conversationId ? { conversationId } : {}) })
        .sort({ createdAt: 1, seq: 1 })
        .limit(limit)
        .toArray();
      return docs.map(toItem);
    },
    async dueOutbox(now, limit) {
      const ids = await outbox.distinct('conversationId', {
        status: 'pending',
        nextAttemptAt: { $lte: now },
      });
      return ids.slice(0, limit);
    },
    async retryOutbox(id, attempts, nextAttemptAt, error) {
      await outbox.updateOne(
        { _id: id, status: 'pending' },
        { $set: { attempts, nextAttemptAt, error } },
      );
    },
    async settleOutbox(id, status, error) {
      // A sent message is not kept: the transcript has it, the outbox needs it no more.
      if (status === 'sent') await outbox.deleteOne({ _id: id });
      else await outbox.updateOne({ _id: id }, { $set: { status, ...(error ? { error } : {}) } });
    },
    async undelivered(conversationId) {
      const docs = await outbox
        .find({ conversationId, status: { $in: ['failed', 'expired'] } })
        .sort({ createdAt: -1, seq: -1 })
        .limit(50)
        .toArray();
      return docs.map(toItem);
    },
  };
}

/** The inbox in MongoDB: `_id` is the event id, so a redelivery is stored once. */
export async function mongoInbox(db: Db, cipher: TextCipher): Promise<InboxStore> {
  const inbox = db.collection<{ _id: string; channel: string; event: string; receivedAt: Date }>(
    'inbox',
  );
  await inbox.createIndex({ receivedAt: 1 });
  return {
    async putInbox(entries) {
      for (const e of entries) {
        try {
          await inbox.insertOne({
            _id: e.id,
            channel: e.channel,
            event: cipher.seal(JSON.stringify(e.event)),
            receivedAt: e.receivedAt,
          });
        } catch (error) {
          if (!isDuplicate(error)) throw error;
        }
      }
    },
    async listInbox(before, limit) {
      const docs = await inbox
        .find({ receivedAt: { $lt: before } })
        .sort({ receivedAt: 1 })
        .limit(limit)
        .toArray();
      return docs.map((d) => ({
        id: d._id,
        channel: d.channel,
        event: JSON.parse(cipher.open(d.event)),
        receivedAt: d.receivedAt,
      }));
    },
    async deleteInbox(id) {
      await inbox.deleteOne({ _id: id });
    },
  };
}
