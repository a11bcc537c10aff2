import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Reply } from '../../src/core/types.js';
import { assembleEngine, loadContent } from '../../src/load-content.js';
import type { ChatAck } from '../../src/server/chat-gateway.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { conversation } from '../support/conversation.js';
import { connectChat, nextEvent, startTestServer } from '../support/server.js';
import { contentWithThirdLocale } from '../support/third-locale.js';

// A third language added from files alone (test/fixtures/content-third-locale):
// every text it shows is marked "[hmn fixture]", so a reply's language is visible.
const dir = contentWithThirdLocale();
const content = loadContent(dir, 'vi');
const FIXTURE = /\[hmn fixture\]/;
const NOTE = '[hmn fixture] not translated yet, here it is in Vietnamese.';

function hmnConversation() {
  const store = createSqliteStore(':memory:');
  return conversation({ store, assembled: assembleEngine({ store, content }) });
}

describe('a third locale added by dropping files into content/', () => {
  it('is offered on the menu under its own name, and chosen, it sticks', async () => {
    const c = hmnConversation();
    const hello = await c.say('chào ad');
    const languages = hello.replies[0]?.choices?.filter((x) => x.payload.startsWith('cmd:lang'));
    expect(languages).toEqual([
      { label: 'English', payload: 'cmd:lang:en' },
      { label: 'Hmoob', payload: 'cmd:lang:hmn' },
    ]);
    const chosen = await c.press('cmd:lang:hmn', 'Hmoob');
    expect(chosen.locale).toBe('hmn');
    expect(chosen.replies[0]?.text).toBe('[hmn fixture] I will answer in Hmoob.');
    expect(chosen.replies[0]?.choices?.[0]?.label).toBe('[hmn fixture] hotline 111');
    // A clear Vietnamese question does not undo a language the person chose.
    expect((await c.say('công ty giữ hộ chiếu của em thì phải làm sao')).locale).toBe('hmn');
  });

  it('lists every language on the language menu', async () => {
    const r = await hmnConversation().press('cmd:languages');
    expect(r.replies[0]?.choices?.map((x) => x.label)).toEqual(['Tiếng Việt', 'English', 'Hmoob']);
  });

  it('answers a question typed in it from its own article, with no note', async () => {
    const r = await hmnConversation().say('111 yog dab tsi');
    expect(r.locale).toBe('hmn');
    expect(r.topics[0]).toBe('hotline-111');
    expect(r.replies[0]?.title).toMatch(FIXTURE);
    expect(r.replies[0]?.text).not.toContain(NOTE);
  });

  it('falls back to Vietnamese per message, with a one-line note, for an untranslated topic and message', async () => {
    const c = hmnConversation();
    await c.press('cmd:lang:hmn', 'Hmoob');
    const topic = await c.press('topic:debt-bondage', '[hmn fixture] debt');
    expect(topic.locale).toBe('hmn');
    const [reply] = topic.replies;
    expect(reply?.text.split('\n')[0]).toBe(NOTE);
    expect(reply?.title).toBe(content.knowledge.article('debt-bondage', 'vi')?.title);
    // The next translated piece comes in the person's language again: per message, not per conversation.
    const translated = await c.press('topic:hotline-111', '[hmn fixture] hotline 111');
    expect(translated.replies[0]?.title).toMatch(FIXTURE);
    expect(translated.replies[0]?.text).not.toContain(NOTE);
    // A guided check not translated yet says so once, above its first question.
    const check = await c.press('flow:job-offer-check');
    expect(check.intent).toBe('flow');
    expect(check.replies[0]?.text.split('\n')[0]).toBe(NOTE);
    await c.press('cmd:menu');
    // A UI message the locale lacks ("fallback") is the Vietnamese one, with the note on top.
    const unknown = await c.say('kuv xav paub txog pho nqaij nyuj');
    expect(unknown.intent).toBe('fallback');
    expect(unknown.replies[0]?.text.split('\n')).toEqual([
      NOTE,
      content.knowledge.messages('vi').fallback,
    ]);
  });

  it('gives the emergency reply in it, and opens a ticket that carries it', async () => {
    const c = hmnConversation();
    const r = await c.say('pab kuv, lawv kaw kuv hauv tsev');
    expect(r.locale).toBe('hmn');
    expect(r.urgency).toBe('emergency');
    expect(r.replies[0]?.text).toMatch(/^\[hmn fixture\] emergency reply: call 113/);
    expect(r.replies[0]?.text).not.toMatch(/Mình lo cho sự an toàn/);
    expect(r.replies[1]?.text).toMatch(/^\[hmn fixture\] no counsellor is online/);
    expect((await c.store.openTicketFor(r.conversationId))?.locale).toBe('hmn');
  });

  it('works over the web widget socket of a server started on that content folder', async () => {
    const server = await startTestServer({ CONTENT_DIR: dir });
    const socket = connectChat(server.url, `session-${randomBytes(8).toString('hex')}`, 'hmn');
    try {
      const history = await nextEvent<{ locale: string; welcome: Reply }>(socket, 'history');
      expect(history.welcome.text).toBe('[hmn fixture] hello, ask me anything.');
      const ack: ChatAck = await socket.emitWithAck('message', {
        id: 'm1',
        text: 'pab kuv tam sim no',
      });
      expect(ack.ok && ack.locale).toBe('hmn');
      expect(ack.ok && ack.replies[0]?.text).toMatch(/^\[hmn fixture\] emergency reply/);
    } finally {
      socket.close();
      await server.cleanup();
    }
  });
});
