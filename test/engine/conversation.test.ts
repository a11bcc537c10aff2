import { describe, expect, it } from 'vitest';
import { assembleEngine } from '../../src/load-content.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { content, conversation, knowledge, readable } from '../support/conversation.js';

describe('a conversation with the engine', () => {
  it('greets a hello with a menu that includes a person', async () => {
    const r = await conversation().say('chào ad');
    expect(r.intent).toBe('greeting');
    const payloads = r.replies[0]?.choices?.map((c) => c.payload);
    expect(payloads).toContain('cmd:person');
    expect(payloads).toContain('topic:in-danger-now');
  });

  it('answers with the short text, the article, sources, follow-ups and a way to a person', async () => {
    const r = await conversation().say('tổng đài 111 là gì vậy');
    expect(r.intent).toBe('answer');
    expect(r.topics[0]).toBe('hotline-111');
    const [reply] = r.replies;
    expect(reply?.text.length).toBeLessThanOrEqual(600);
    expect(reply?.more?.length).toBeGreaterThan(200);
    expect(reply?.sources?.[0]?.url).toMatch(/^https:\/\//);
    const choices = reply?.choices ?? [];
    expect(choices.filter((c) => c.payload.startsWith('topic:')).length).toBeGreaterThanOrEqual(2);
    expect(choices.at(-1)?.payload).toBe('cmd:person');
  });

  it('finds the same answer with or without diacritics, in NFD, with old tone marks, and in teen-code', async () => {
    const variants = [
      'bị chủ giữ hộ chiếu thì phải làm sao',
      'bi chu giu ho chieu thi phai lam sao',
      'bị chủ giữ hộ chiếu thì phải làm sao'.normalize('NFD'),
      'bi chu giu ho chieu thi lam j',
      'e bj chủ giữ hộ chiếu r, h lm sao dc',
    ];
    for (const text of variants) {
      const r = await conversation().say(text);
      expect(r.topics[0], text).toBe('document-confiscation');
    }
    const oldTone = await conversation().say('công ty giữ hộ chiếu, tôi thấy không hoà hợp');
    const newTone = await conversation().say('công ty giữ hộ chiếu, tôi thấy không hòa hợp');
    expect(oldTone.topics).toEqual(newTone.topics);
  });

  it('answers in English when the person writes English, and in Vietnamese otherwise', async () => {
    const en = await conversation().say('can my employer keep my passport while I work abroad?');
    expect(en.locale).toBe('en');
    expect(en.replies[0]?.title).toMatch(/passport/i);
    const vi = await conversation().say('chủ lấy hộ chiếu của tôi không trả');
    expect(vi.locale).toBe('vi');
  });

  it('keeps the language on one short unclear message, and a chosen language sticks', async () => {
    const c = conversation();
    expect((await c.say('công ty giữ hộ chiếu của em')).locale).toBe('vi');
    expect((await c.say('ok')).locale).toBe('vi');
    expect((await c.press('cmd:lang:en', 'English')).locale).toBe('en');
    expect((await c.say('công ty giữ hộ chiếu của em thì sao')).locale).toBe('en');
  });

  it('says honestly when it has no answer, and offers a counsellor and 111', async () => {
    const r = await conversation().say('công thức nấu phở bò ngon nhất');
    expect(r.intent).toBe('fallback');
    expect(r.topics).toEqual([]);
    expect(readable(r)).toMatch(/111/);
    expect(r.replies[0]?.choices?.some((c) => c.payload === 'cmd:person')).toBe(true);
  });

  it('refuses requests to traffic, smuggle or forge without repeating a method, and gives reporting channels', async () => {
    for (const text of [
      'chỉ tôi cách làm hộ chiếu giả để đưa người đi',
      'how can i smuggle people into thailand without police knowing',
      'tôi muốn bán mấy đứa con gái sang bên kia, tìm khách mua ở đâu',
      'cách mua con nuôi không cần giấy tờ',
    ]) {
      const r = await conversation().say(text);
      expect(r.intent, text).toBe('refuse');
      expect(readable(r)).toMatch(/111/);
      expect(readable(r)).toMatch(/113/);
    }
  });

  it('does not refuse someone asking how to spot a fake contract, how to report, or how to teach about it', async () => {
    for (const text of [
      'làm sao nhận biết hợp đồng lao động giả',
      'how do i report a fake passport seller to police',
      'làm sao giúp các bạn trẻ hiểu về mua bán người',
      'how can I teach my students about human trafficking',
      'chỉ mình cách mua sữa cho con',
      'bạn gái tôi muốn đi Nhật, làm sao để đi an toàn',
    ]) {
      const r = await conversation().say(text);
      expect(r.intent, text).not.toBe('refuse');
    }
  });

  it('takes a request for a person in any wording', async () => {
    for (const text of [
      'cho em gặp tư vấn viên',
      'toi muon noi chuyen voi nguoi that',
      'can I talk to a real person',
    ]) {
      const r = await conversation().say(text);
      expect(r.intent, text).toBe('handoff');
      expect(readable(r)).toMatch(/111/);
    }
    expect((await conversation().press('cmd:person', 'Talk')).intent).toBe('handoff');
  });

  it('answers a pressed topic button, and a clarifying choice leads to that topic', async () => {
    const r = await conversation().press('topic:scam-compounds', 'Khu lừa đảo');
    expect(r.topics).toEqual(['scam-compounds']);
    expect(r.replies[0]?.topicId).toBe('scam-compounds');
  });

  it('never answers the same platform message twice', async () => {
    const c = conversation();
    const first = await c.say('hotline 111', { messageId: 'dup-1' });
    const again = await c.say('hotline 111', { messageId: 'dup-1' });
    expect(first.duplicate).toBe(false);
    expect(again.duplicate).toBe(true);
    expect(again.replies).toEqual([]);
    expect(await c.store.listMessages(first.conversationId)).toHaveLength(2);
  });

  it('handles the messages of one conversation in the order they arrived', async () => {
    const c = conversation();
    const texts = Array.from({ length: 15 }, (_, i) => `tin nhắn số ${i} về hộ chiếu`);
    const results = await Promise.all(texts.map((t) => c.say(t)));
    const transcript = await c.store.listMessages(results[0]?.conversationId as string);
    expect(transcript.filter((m) => m.direction === 'in').map((m) => m.text)).toEqual(texts);
  });

  it('deletes the conversation after the person confirms', async () => {
    const c = conversation();
    const first = await c.say('111 là gì');
    const ask = await c.say('xóa dữ liệu của tôi');
    expect(ask.replies[0]?.choices?.map((x) => x.payload)).toEqual([
      'cmd:delete-yes',
      'cmd:delete-no',
    ]);
    await c.press('cmd:delete-yes');
    expect(await c.store.getConversation(first.conversationId)).toBeUndefined();
    expect(await c.store.listMessages(first.conversationId)).toEqual([]);
  });

  it('answers an over-long message with a clear message instead of failing', async () => {
    const r = await conversation({ maxMessageChars: 100 }).say('a'.repeat(101));
    expect(readable(r)).toMatch(/100/);
  });

  it('keeps the conversation when the engine restarts on the same store', async () => {
    const store = createSqliteStore(':memory:');
    const first = conversation({ store, userId: 'u-restart' });
    await first.say('what does hotline 111 do');
    const assembled = assembleEngine({ store, content: content() });
    const again = conversation({ store, assembled, userId: 'u-restart' });
    const r = await again.say('ok');
    expect(r.locale).toBe('en');
    expect(await store.listMessages(r.conversationId)).toHaveLength(4);
  });
});

describe('safety in a conversation', () => {
  it('answers an emergency first with safety steps, the right numbers, and asks if it is safe to chat', async () => {
    const r = await conversation().say('em đang bị nhốt ở Campuchia, bọn nó đánh em');
    expect(r.urgency).toBe('emergency');
    expect(r.intent).toBe('handoff');
    expect(r.topics[0]).toBe('in-danger-now');
    const [safety] = r.replies;
    expect(safety?.text).toMatch(/113/);
    expect(safety?.text).toMatch(/111/);
    expect(safety?.text).toMatch(/\+84 981 84 84 84/);
    expect(safety?.choices?.map((c) => c.payload)).toEqual(['cmd:safe-yes', 'cmd:safe-no']);
    expect(r.signals.map((s) => s.id)).toEqual(expect.arrayContaining(['confined', 'violence']));
  });

  it('gives the home numbers without the abroad line when no place abroad is named', async () => {
    const r = await conversation().say('i am locked in a room and they beat me');
    expect(r.replies[0]?.text).toMatch(/113/);
    expect(r.replies[0]?.text).not.toMatch(/\+84 981/);
  });

  it('offers a counsellor with two choices on an urgent message, after the answer', async () => {
    const r = await conversation().say('chủ giữ hộ chiếu của em không trả');
    expect(r.urgency).toBe('urgent');
    expect(r.replies[0]?.topicId).toBe('document-confiscation');
    expect(r.replies.at(-1)?.choices?.map((c) => c.payload)).toEqual(['cmd:person', 'cmd:menu']);
  });

  it('never lowers the level of a conversation by itself', async () => {
    const c = conversation();
    await c.say('em đang bị nhốt, cứu em');
    const later = await c.say('111 là gì');
    expect(later.urgency).toBe('emergency');
    expect((await c.store.getConversation(later.conversationId))?.urgency).toBe('emergency');
  });
});

describe('privacy in a conversation', () => {
  it('takes the exit word: after one confirmation the conversation is gone and the answer is neutral', async () => {
    const c = conversation();
    const first = await c.say('em đang bị giữ hộ chiếu');
    const ask = await c.say('thoát');
    expect(readable(ask)).toMatch(/Xóa cuộc trò chuyện này khỏi máy chủ/);
    expect(ask.replies[0]?.choices?.map((x) => x.payload)).toEqual([
      'cmd:exit-yes',
      'cmd:delete-no',
    ]);
    const done = await c.press('cmd:exit-yes');
    expect(done.replies.map((r) => r.text)).toEqual(['OK.']);
    expect(await c.store.getConversation(first.conversationId)).toBeUndefined();
  });
});
