/**
 * Vietnamese text as people really type it: with or without diacritics, in
 * NFC or NFD (the Windows keyboard types combining marks), with old or new
 * tone placement (hoà / hòa), in teen-code. Search and triage both work on
 * folded syllables, so every spelling of a word meets every other one.
 */
import { stemmer } from 'stemmer';

/** Teen-code token → its readings (folded), most common first. */
export type TeencodeDictionary = ReadonlyMap<string, readonly string[]>;

const ZERO_WIDTH = /[\u200b-\u200d\u2060\ufeff]/g;
const MARKS = /[\u0300-\u036f]/g;

/** NFC, lower case, zero-width characters removed, the Icelandic Ð read as Đ. */
export function clean(text: string): string {
  return text
    .normalize('NFC')
    .replace(ZERO_WIDTH, '')
    .replace(/\u00d0/g, 'Đ')
    .toLowerCase();
}

/** Removes every diacritic, including đ → d (which NFD does not decompose). */
export function fold(text: string): string {
  return clean(text).normalize('NFD').replace(MARKS, '').replace(/đ/g, 'd');
}

/** Folded words: runs of letters and digits. "Đường dây 111!" → [duong, day, 111]. */
export function words(text: string): string[] {
  return fold(text)
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0);
}

/**
 * Folded words with teen-code read: "cty xkld ko" → [cong, ty, xuat, khau,
 * lao, dong, khong]. Number-unit tokens ("30tr", "500k", "8h") keep their
 * meaning as a number and are not read as "không" or "trời".
 */
export function expandedWords(text: string, dict: TeencodeDictionary): string[][] {
  return words(text).map((w) => {
    if (/^\d/.test(w)) return [w];
    const readings = dict.get(w);
    if (!readings) return [w];
    return [...new Set([w, ...readings])];
  });
}

/** The primary reading of each word, in order: the sequence bigrams are built on. */
export function primarySequence(text: string, dict: TeencodeDictionary): string[] {
  return words(text).flatMap((w) => {
    const first = /^\d/.test(w) ? undefined : dict.get(w)?.[0];
    return first ? first.split(' ') : [w];
  });
}

/** Porter stem for English words; Vietnamese syllables pass through unchanged in practice. */
export function stem(word: string): string {
  return word.length > 3 && /^[a-z]+$/.test(word) ? stemmer(word) : word;
}
