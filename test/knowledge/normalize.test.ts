import { describe, expect, it } from 'vitest';
import { clean, expandedWords, fold, stem, words } from '../../src/core/text/normalize.js';
import { searchTerms } from '../../src/knowledge/terms.js';
import { knowledge } from '../support/conversation.js';

describe('Vietnamese normalisation', () => {
  it('folds diacritics and đ, whatever the Unicode form', () => {
    expect(fold('Đường dây nóng')).toBe('duong day nong');
    expect(fold('Đường dây nóng'.normalize('NFD'))).toBe('duong day nong');
    expect(fold('Ðảm bảo')).toBe('dam bao'); // Icelandic eth pasted from the web
    expect(fold('hoà')).toBe(fold('hòa'));
    expect(fold('thuý')).toBe(fold('thúy'));
  });

  it('removes zero-width characters and lower-cases in NFC', () => {
    expect(clean('Hộ\u200bChiếu'.normalize('NFD'))).toBe('hộchiếu'.normalize('NFC'));
  });

  it('splits on anything that is not a letter or digit', () => {
    expect(words('Gọi 111!! (miễn phí)…')).toEqual(['goi', '111', 'mien', 'phi']);
  });

  it('reads teen-code additively and leaves numbers with units alone', () => {
    const dict = knowledge().dict;
    expect(expandedWords('ko dc', dict)).toEqual([
      ['ko', 'khong'],
      ['dc', 'duoc'],
    ]);
    expect(expandedWords('lương 30tr 500k', dict)).toEqual([['luong'], ['30tr'], ['500k']]);
  });

  it('reads teen-code only in words typed without tone marks', () => {
    const dict = knowledge().dict;
    // "cam" is Campuchia, but "cảm" (feel) and "cấm" (forbid) are words; "ạ" is not "anh".
    expect(expandedWords('sang cam', dict)[1]).toContain('campuchia');
    expect(expandedWords('cảm thấy, cấm, dạ ạ', dict).flat()).not.toContain('campuchia');
    expect(expandedWords('dạ ạ', dict).flat()).not.toContain('anh');
    // Teen-code that is itself typed with tone marks, and đ, still read.
    expect(expandedWords('hông đc', dict)).toEqual([
      ['hong', 'khong'],
      ['dc', 'duoc'],
    ]);
  });

  it('stems English words but not Vietnamese syllables', () => {
    expect(stem('jobs')).toBe('job');
    expect(stem('trafficking')).toBe('traffick');
    expect(stem('going')).toBe('go');
    // Porter would make thấy (see) "thai" (Thái Lan) and giấy (paper) "giai".
    expect(['thay', 'giay', 'ngay', 'nguy'].map(stem)).toEqual(['thay', 'giay', 'ngay', 'nguy']);
  });

  it('makes syllable pairs, so hộ chiếu and hỗ trợ do not meet', () => {
    const dict = knowledge().dict;
    expect(searchTerms('bị giữ hộ chiếu', dict)).toContain('ho_chieu');
    expect(searchTerms('cần hỗ trợ', dict)).not.toContain('ho_chieu');
    expect(searchTerms('cty xkld', dict)).toEqual(expect.arrayContaining(['cong_ty', 'lao_dong']));
  });
});

describe('language detection', () => {
  it('knows Vietnamese by its letters, and unaccented Vietnamese and English by their words', () => {
    const { detect } = knowledge();
    expect(detect('hộ chiếu').locale).toBe('vi');
    expect(detect('cong ty giu ho chieu cua em roi').locale).toBe('vi');
    expect(detect('ko dc j het').locale).toBe('vi');
    expect(detect('my boss took my passport').locale).toBe('en');
    expect(detect('ok').locale).toBeUndefined();
  });
});
