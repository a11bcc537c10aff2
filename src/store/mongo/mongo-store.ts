import { randomUUID } from 'node:crypto';
import { type Db, MongoClient, MongoServerError } from 'mongodb';
import type { Conversation, StoredMessage } from '../../core/types.js';
import type { Store } from '../store.js';
import { noCipher, type TextCipher } from '../text-cipher.js';
import { mongoHandoffStore } from './mongo-handoff.js';
import { mongoInbox, mongoOutbox } from './mongo-outbox.js';
import { mongoReports } from './mongo-reports.js';

/** `context` and message `text` / `reply` are sealed strings (see text-cipher.ts). */
interface ConversationDoc extends Omit<Conversation, 'id' | 'context'> {
  _id: string;
  context: string;
}
interface MessageDoc extends Omit<StoredMessage, 'id' | 'reply'> {
  _id: string;
  seq: number;
  reply?: string;
}

export const DUPLICATE_KEY = 11000;
export const isDuplicate = (e: unknown) =>
  e instanceof MongoServerError && e.code === DUPLICATE_KEY;

/**
 * Runs an upsert on `_id` once more when it lost the race to create that document. MongoDB
 * (4.2+) retries such an upsert itself; FerretDB answers E11000 instead, which failed the first
 * turns that ran at the same time on a new counter (message order): stored, never answered.
 * The second try finds the document and updates it.
 */
async function upsertOnce<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (!isDuplicate(error)) throw error;
    return write();
  }
}

const processedId = (channel: string, messageId: string) => `${channel}\u0000${messageId}`;

/**
 * Marks a platform message id processed; true the first time. The unique `_id` decides,
 * so overlapping deliveries cannot both get true (used by the store and by the outbox).
 */
export async function markProcessedIn(db: Db, channel: string, messageId: string) {
  try {
    await db
      .collection<{ _id: string; at: Date }>('processed_messages')
      .insertOne({ _id: processedId(channel, messageId), at: new Date() });
    return true;
  } catch (error) {
    if (isDuplicate(error)) return false;
    throw error;
  }
}

/** A monotonic sequence shared by every instance (message order, audit order). */
export async function nextSeq(db: Db, name: string): Promise<number> {
  const doc = await upsertOnce(() =>
    db
      .collection<{ _id: string; seq: number }>('counters')
      .findOneAndUpdate(
        { _id: name },
        { $inc: { seq: 1 } },
        { upsert: true, returnDocument: 'after' },
      ),
  );
  return doc?.seq ?? 1;
}

/**
 * The production store: MongoDB (a replica set or Atlas) or any
 * MongoDB-compatible server, with the official driver. Uniqueness rests on
 * `_id` wherever the contract needs it (processed message ids, one open ticket
 * per conversation), which every compatible server enforces; state changes are
 * single-document conditional updates, atomic everywhere.
 */
export async function createMongoStore(
  uri: string,
  options: { cipher?: TextCipher } = {},
): Promise<Store> {
  const cipher = options.cipher ?? noCipher;
  const toConversation = ({ _id, context, ...rest }: ConversationDoc): Conversation => ({
    id: _id,
    ...rest,
    context: JSON.parse(cipher.open(context)),
  });
  const toMessage = ({ _id, seq: _, text, reply, ...rest }: MessageDoc): StoredMessage => ({
    id: _id,
    ...rest,
    text: cipher.open(text),
    ...(reply ? { reply: JSON.parse(cipher.open(reply)) } : {}),
  });
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 5000, retryReads: true });
  await client.connect();
  const db = client.db();
  const conversations = db.collection<ConversationDoc>('conversations');
  const messages = db.collection<MessageDoc>('messages');
  const processed = db.collection<{ _id: string; at: Date }>('processed_messages');
  const locks = db.collection<{ _id: string; token: string; expiresAt: Date }>('locks');
  const datasets = db.collection<{
    _id: string;
    value?: unknown;
    /** The value as sealed JSON, for values stored with `sealed`. */
    sealed?: string;
    updatedAt: Date;
  }>('datasets');
  await conversations.createIndex({ channel: 1, userId: 1 }, { unique: true });
  await messages.createIndex({ conversationId: 1, seq: 1 });
  await processed.createIndex({ at: 1 });
  const gaps = db.collection<{ at: Date; locale: string; channel: string; text: string }>(
    'knowledge_gaps',
  );
  await gaps.createIndex({ at: 1 });

  async function removeConversation(id: string) {
    await messages.deleteMany({ conversationId: id });
    await db.collection('outbox').deleteMany({ conversationId: id });
    await db.collection('tickets').deleteMany({ conversationId: id });
    await db.collection('open_tickets').deleteMany({ _id: id as never });
    await conversations.deleteOne({ _id: id });
  }

  async function find(channel: string, userId: string) {
    const doc = await conversations.findOne({ channel, userId });
    return doc ? toConversation(doc) : undefined;
  }

  return {
    ...(await mongoHandoffStore(db, cipher)),
    ...(await mongoReports(db)),
    ...(await mongoOutbox(db, cipher)),
    ...(await mongoInbox(db, cipher)),
    async openConversation(channel, userId, locale) {
      const now = new Date();
      try {
        await conversations.updateOne(
          { channel, userId },
          {
            $setOnInsert: {
              _id: randomUUID(),
              channel,
              userId,
              locale,
              state: 'bot',
              urgency: 'none',
              context: cipher.seal('{}'),
              createdAt: now,
              updatedAt: now,
            },
          },
          { upsert: true },
        );
      } catch (error) {
        // Two upserts raced: the other one created it, which is what we wanted.
        if (!isDuplicate(error)) throw error;
      }
      return (await find(channel, userId)) as Conversation;
    },
    findConversation: find,
    async getConversation(id) {
      const doc = await conversations.findOne({ _id: id });
      return doc ? toConversation(doc) : undefined;
    },
    async updateConversation(id, patch) {
      const set: Partial<ConversationDoc> = { updatedAt: new Date() };
      if (patch.locale) set.locale = patch.locale;
      if (patch.state) set.state = patch.state;
      if (patch.urgency) set.urgency = patch.urgency;
      if (patch.context) set.context = cipher.seal(JSON.stringify(patch.context));
      const doc = await conversations.findOneAndUpdate(
        { _id: id },
        { $set: set },
        { returnDocument: 'after' },
      );
      if (!doc) throw new Error(`no conversation ${id}`);
      return toConversation(doc);
    },
    async setFollowUp(id, keep) {
      await conversations.updateOne({ _id: id }, { $set: { followUp: keep } });
    },
    async purgeIdleConversations(before) {
      await gaps.deleteMany({ at: { $lt: before } });
      const idle = await conversations
        .find({ updatedAt: { $lt: before }, followUp: { $ne: true } }, { projection: { _id: 1 } })
        .toArray();
      for (const { _id } of idle) await removeConversation(_id);
      return idle.length;
    },
    deleteConversation: removeConversation,
    async recordGap(gap) {
      await gaps.insertOne({ ...gap, text: cipher.seal(gap.text) });
    },
    async listGaps(from, to) {
      const docs = await gaps
        .find({ at: { $gte: from, $lt: to } })
        .sort({ at: 1 })
        .toArray();
      return docs.map(({ at, locale, channel, text }) => ({
        at,
        locale,
        channel,
        text: cipher.open(text),
      }));
    },
    async appendMessage(m) {
      const doc: MessageDoc = {
        _id: randomUUID(),
        seq: await nextSeq(db, 'messages'),
        conversationId: m.conversationId,
        direction: m.direction,
        text: cipher.seal(m.text),
        ...(m.reply ? { reply: cipher.seal(JSON.stringify(m.reply)) } : {}),
        ...(m.choice ? { choice: m.choice } : {}),
        createdAt: m.createdAt ?? new Date(),
      };
      await messages.insertOne(doc);
      return toMessage(doc);
    },
    async listMessages(conversationId, limit = 500) {
      const newest = await messages
        .find({ conversationId })
        .sort({ seq: -1 })
        .limit(limit)
        .toArray();
      return newest.reverse().map(toMessage);
    },
    markProcessed: (channel, messageId) => markProcessedIn(db, channel, messageId),
    async isProcessed(channel, messageId) {
      return (await processed.countDocuments({ _id: processedId(channel, messageId) })) > 0;
    },
    async acquireLock(key, ttlMs) {
      const token = randomUUID();
      const now = new Date();
      const expiresAt = new Date(now.getTime() + ttlMs);
      try {
        await locks.insertOne({ _id: key, token, expiresAt });
        return token;
      } catch (error) {
        if (!isDuplicate(error)) throw error;
      }
      // Held: if the lease has expired, clear it and race again; the insert decides the winner.
      if ((await locks.deleteOne({ _id: key, expiresAt: { $lte: now } })).deletedCount === 0)
        return undefined;
      try {
        await locks.insertOne({ _id: key, token, expiresAt });
        return token;
      } catch (error) {
        if (isDuplicate(error)) return undefined;
        throw error;
      }
    },
    async releaseLock(key, token) {
      await locks.deleteOne({ _id: key, token });
    },
    async putDataset(name, value, options) {
      const updatedAt = new Date();
      await datasets.replaceOne(
        { _id: name },
        options?.sealed
          ? { sealed: cipher.seal(JSON.stringify(value)), updatedAt }
          : { value, updatedAt },
        { upsert: true },
      );
    },
    async getDataset(name) {
      const d = await datasets.findOne({ _id: name });
      if (!d) return undefined;
      const value = typeof d.sealed === 'string' ? JSON.parse(cipher.open(d.sealed)) : d.value;
      return { value, updatedAt: d.updatedAt };
    },
    async ping() {
      await db.command({ ping: 1 });
    },
    async close() {
      await client.close();
    },
  };
}
