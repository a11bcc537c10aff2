import { describe, expect, it } from 'vitest';
import type { Conversation, Inbound } from '../../src/core/types.js';
import { chooseLocale } from '../../src/engine/choose-locale.js';
import { detectLanguage, languageProfile } from '../../src/knowledge/detect-language.js';
import { loadKnowledgeBase } from '../../src/knowledge/knowledge-base.js';
import { knowledge } from '../support/conversation.js';
import { contentWithThirdLocale } from '../support/third-locale.js';

const detect = (text: string) => knowledge().detect(text);
const thirdLocaleDir = contentWithThirdLocale();

describe('detecting the language of one message (word lists and letters from content/messages)', () => {
  it('reads short Vietnamese, with or without diacritics, and teen-code', () => {
    expect(detect('hộ chiếu')).toEqual({ locale: 'vi', confidence: 1 });
    expect(detect('cứu')).toEqual({ locale: 'vi', confidence: 1 });
    expect(detect('ko dc').locale).toBe('vi');
    expect(detect('giup em voi').locale).toBe('vi');
    expect(detect('cong ty giu ho chieu cua em roi')).toMatchObject({
      locale: 'vi',
      confidence: 1,
    });
  });

  it('reads English, and says nothing about a message with no telling words', () => {
    expect(detect('my boss took my passport')).toMatchObject({ locale: 'en', confidence: 1 });
    expect(detect('help').locale).toBe('en');
    expect(detect('help').confidence).toBeLessThan(0.67);
    for (const text of ['ok', '111', '👍', '', 'Malaysia'])
      expect(detect(text).locale, text).toBeUndefined();
  });

  it('reads mixed Vietnamese-English as Vietnamese, or as unsure, never as clear English', () => {
    expect(detect('boss giữ passport của em rồi').locale).toBe('vi');
    expect(detect('em bi boss lay passport roi, help em voi').locale).toBe('vi');
    const even = detect('toi can help voi passport');
    expect(even.locale === 'en' && even.confidence >= 0.67).toBe(false);
  });

  it('knows a third language by its words or by its script, from its profile alone', () => {
    const profiles = [
      languageProfile('vi', ['toi', 'em', 'khong'], 'ăâđêôơư'),
      languageProfile('en', ['my', 'the', 'help']),
      languageProfile('hmn', ['kuv', 'koj', 'pab', 'nyob']),
      languageProfile('km', [], '\\u1780-\\u17FF'),
    ];
    expect(detectLanguage('pab kuv, kuv nyob qhov no', profiles).locale).toBe('hmn');
    expect(detectLanguage('ជួយ ខ្ញុំ', profiles)).toEqual({ locale: 'km', confidence: 1 });
    // Two languages sharing the letters seen: their words decide.
    const sharing = [...profiles, languageProfile('tay', ['slao', 'pỉ'], 'ăâđêôơư')];
    expect(detectLanguage('pỉ slao ơi', sharing).locale).toBe('tay');
    expect(detectLanguage('em ơi', sharing).locale).toBe('vi');
  });

  it('detects a locale added by files, from its detect_words', () => {
    const kb = loadKnowledgeBase(thirdLocaleDir, 'vi');
    expect(kb.detect('kuv xav paub txog hauj lwm')).toMatchObject({ locale: 'hmn', confidence: 1 });
    expect(kb.detect('my boss took my passport').locale).toBe('en');
  });
});

describe('choosing the language to answer in', () => {
  const supported = ['vi', 'en'];
  const inbound = (text: string): Inbound => ({
    channel: 'test',
    userId: 'u',
    messageId: 'm',
    text,
    receivedAt: new Date(),
  });
  const vi = { locale: 'vi', context: {} };
  const choose = (
    conversation: Pick<Conversation, 'locale' | 'context'> | undefined,
    text: string,
  ) => chooseLocale(conversation, inbound(text), detect(text), supported, 'vi');

  it('never switches on one short or mixed message', () => {
    expect(choose(vi, 'help').locale).toBe('vi');
    expect(choose(vi, 'hi ok').locale).toBe('vi');
    expect(choose(vi, 'em bi boss lay passport roi, help em voi').locale).toBe('vi');
  });

  it('switches on a clear message of three words or more, or on two short ones in a row', () => {
    expect(choose(vi, 'my boss took my passport').locale).toBe('en');
    const first = choose(vi, 'help pls');
    expect(first).toEqual({ locale: 'vi', pending: 'en' });
    const context = { pendingLocale: first.pending };
    expect(choose({ locale: 'vi', context }, 'thanks').locale).toBe('en');
    // A message in between that says nothing breaks the run.
    expect(choose({ locale: 'vi', context: {} }, 'thanks').locale).toBe('vi');
  });

  it('keeps a language the person chose, and starts a new conversation from the message or the hint', () => {
    expect(
      choose({ locale: 'en', context: { localeChosen: true } }, 'chủ giữ hộ chiếu của tôi').locale,
    ).toBe('en');
    expect(choose(undefined, 'chủ giữ hộ chiếu của tôi').locale).toBe('vi');
    const hinted = chooseLocale(
      undefined,
      { ...inbound('ok'), localeHint: 'en' },
      detect('ok'),
      supported,
      'vi',
    );
    expect(hinted.locale).toBe('en');
  });
});
