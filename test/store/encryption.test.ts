import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { messageCipher } from '../../src/store/message-key.js';
import { createMongoStore } from '../../src/store/mongo/mongo-store.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { createTextCipher } from '../../src/store/text-cipher.js';
import { mongoMissing, mongoUri } from '../support/mongo.js';

const SECRET = 'em tên Hoa, đang bị giữ ở xưởng may số 7';
const REPLY = { text: 'Mình lo cho bạn', title: 'Đang gặp nguy hiểm' };

const NOTE = 'Hẹn gọi lại mẹ của bạn ấy';

/**
 * A message from the person, a reply, the words that raised the ticket and
 * the counsellor's note: text that must never be readable at rest.
 */
async function writeSecret(store: Store, conversationId: string) {
  await store.appendMessage({ conversationId, direction: 'in', text: SECRET });
  await store.appendMessage({ conversationId, direction: 'out', text: REPLY.text, reply: REPLY });
  const { ticket } = await store.openTicket({
    conversationId,
    channel: 'web',
    locale: 'vi',
    level: 'emergency',
    reason: 'emergency',
    signals: [{ id: 'confined', level: 'emergency', label: 'Bị giam giữ', words: SECRET }],
  });
  await store.claimTicket(ticket.id, 'counsellor-1');
  await store.closeTicket(ticket.id, 'counsellor-1', {
    kind: 'counselling',
    detail: 'psychological',
    notes: NOTE,
  });
  const read = await store.getTicket(ticket.id);
  expect(read?.signals[0]?.words).toBe(SECRET);
  expect(read?.outcome?.notes).toBe(NOTE);
  // A channel's live credentials (Zalo's refresh token) are stored sealed too.
  await store.putDataset('channel:zalo', { refreshToken: TOKEN }, { sealed: true });
  expect((await store.getDataset('channel:zalo'))?.value).toEqual({ refreshToken: TOKEN });
}

const TOKEN = 'mã-làm-mới-Zalo-dùng-một-lần';

describe('message text at rest', () => {
  it('is sealed in the raw SQLite files, readable through the store, and with the previous key after rotation', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sj-enc-'));
    try {
      const file = join(dir, 'safe-journey.db');
      const keyFile = join(dir, 'message.key');
      const cipher = messageCipher({ keyFile, required: false });
      expect(statSync(keyFile).mode & 0o077).toBe(0);
      let store = createSqliteStore(file, { cipher });
      const c = await store.openConversation('web', 'u', 'vi');
      await store.updateConversation(c.id, {
        context: {
          lastTopic: 'x',
          flow: {
            id: 'f',
            step: 's',
            score: 0,
            reasons: [],
            signs: [],
            answers: { name: 'Cty Bí Mật' },
          },
        },
      });
      await writeSecret(store, c.id);
      await store.close();
      const raw = readdirSync(dir)
        .filter((f) => f.startsWith('safe-journey.db'))
        .map((f) => readFileSync(join(dir, f)).toString('utf8'))
        .join('');
      // Words with Vietnamese letters: a sealed value is base64, which can hold any short ASCII run by chance.
      for (const plain of [
        'tên Hoa',
        'xưởng may',
        'Mình lo cho bạn',
        'Cty Bí Mật',
        'Đang gặp nguy hiểm',
        'gọi lại mẹ',
        'làm-mới-Zalo',
      ])
        expect(raw).not.toContain(plain);

      // Rotation: a new key, the old one still accepted for reading.
      const oldKey = readFileSync(keyFile, 'utf8').trim();
      const rotated = messageCipher({
        key: randomBytes(32).toString('base64'),
        previous: oldKey,
        required: true,
      });
      store = createSqliteStore(file, { cipher: rotated });
      expect((await store.listMessages(c.id)).map((m) => m.text)).toEqual([SECRET, REPLY.text]);
      expect((await store.getConversation(c.id))?.context.flow?.answers.name).toBe('Cty Bí Mật');
      await store.close();

      const wrong = createSqliteStore(file, { cipher: createTextCipher(randomBytes(32)) });
      await expect(wrong.listMessages(c.id)).rejects.toThrow(/MESSAGE_KEY_PREVIOUS/);
      await wrong.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses to start MongoDB without a key from the environment', () => {
    expect(() => messageCipher({ required: true })).toThrow(/MESSAGE_KEY is required/);
    expect(() => messageCipher({ key: 'c2hvcnQ=', required: true })).toThrow(/32 bytes/);
  });

  it.skipIf(mongoMissing)('is sealed in the raw MongoDB documents', async () => {
    const url = new URL(mongoUri as string);
    url.pathname = `/sj_enc_${randomBytes(4).toString('hex')}`;
    const store = await createMongoStore(url.toString(), {
      cipher: createTextCipher(randomBytes(32)),
    });
    const c = await store.openConversation('web', 'u', 'vi');
    await writeSecret(store, c.id);
    expect((await store.listMessages(c.id)).map((m) => m.text)).toEqual([SECRET, REPLY.text]);
    await store.close();
    const client = await MongoClient.connect(url.toString());
    for (const name of ['messages', 'tickets', 'datasets']) {
      const docs = JSON.stringify(await client.db().collection(name).find({}).toArray());
      expect(docs).not.toContain('tên Hoa');
      expect(docs).not.toContain('Mình lo cho bạn');
      expect(docs).not.toContain('gọi lại mẹ');
      expect(docs).not.toContain('làm-mới-Zalo');
    }
    await client.db().dropDatabase();
    await client.close();
  });
});
