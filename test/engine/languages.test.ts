import { describe, expect, it } from 'vitest';
import { conversation, knowledge } from '../support/conversation.js';

describe('languages in a conversation', () => {
  it('offers the other languages on the menu under their own names, from content', async () => {
    const vi = await conversation().say('chào ad');
    expect(vi.replies[0]?.choices?.filter((c) => c.payload.startsWith('cmd:lang'))).toEqual([
      { label: 'English', payload: 'cmd:lang:en' },
    ]);
    const en = await conversation().say('hello, what can you do for me');
    expect(en.locale).toBe('en');
    expect(en.replies[0]?.choices?.filter((c) => c.payload.startsWith('cmd:lang'))).toEqual([
      { label: 'Tiếng Việt', payload: 'cmd:lang:vi' },
    ]);
    expect(knowledge().locales).toEqual(['vi', 'en']);
  });

  it('takes a language typed by its name, and ignores one without content', async () => {
    const c = conversation();
    await c.say('công ty giữ hộ chiếu của em');
    expect((await c.say('English')).locale).toBe('en');
    expect((await c.say('Tiếng Việt')).locale).toBe('vi');
    expect(knowledge().languageRequest('Français')).toBeUndefined();
  });

  it('switches after two short messages in a row in another language, not after one', async () => {
    const c = conversation();
    expect((await c.say('chủ giữ hộ chiếu của em')).locale).toBe('vi');
    expect((await c.say('help pls')).locale).toBe('vi');
    expect((await c.say('thanks')).locale).toBe('en');
  });

  it('answers danger written in another language than the chosen one in both languages', async () => {
    const c = conversation();
    await c.press('cmd:lang:en', 'English');
    const r = await c.say('cứu em với, em đang bị nhốt');
    expect(r.urgency).toBe('emergency');
    expect(r.locale).toBe('en');
    const text = r.replies[0]?.text ?? '';
    expect(text).toContain(knowledge().messages('en').emergency);
    expect(text).toContain(knowledge().messages('vi').emergency);
  });
});
