import { describe, expect, it } from 'vitest';
import { untelex } from '../../src/core/text/telex.js';
import { conversation, knowledge } from '../support/conversation.js';

describe('Telex leftovers', () => {
  it('reads a message typed with a failing Telex keyboard as the Vietnamese it is', () => {
    expect(untelex('cuuws tooi, hoj khoas cuwar khoong cho ra')).toBe(
      'cuu toi, ho khoa cua khong cho ra',
    );
    expect(untelex('ddwowcj khoong, tooi muoons ddi Haanf Quoocs')).toBe(
      'duoc khong, toi muon di han quoc',
    );
  });

  it('leaves plain Vietnamese, one stray key and English as they are', () => {
    for (const text of [
      'em bị nhốt ở Campuchia',
      'toi muon di Han Quoc lam viec',
      'cho hỏi khoas học này bao nhiêu tiền',
      'the news was bad',
    ]) {
      expect(untelex(text)).toBe(text);
    }
    // English is kept out by language before decoding ("good" would read as "gốd").
    expect(knowledge().readable('good food is here, i like it')).toBe(
      'good food is here, i like it',
    );
  });

  it('catches a danger typed in Telex, and keeps the words as written in the transcript', async () => {
    const c = conversation();
    const said = 'cuuws tooi, hoj khoas cuwar khoong cho ra';
    const r = await c.say(said);
    expect(r.urgency).toBe('emergency');
    const messages = await c.store.listMessages(r.conversationId);
    expect(messages[0]?.text).toBe(said);
  });
});
