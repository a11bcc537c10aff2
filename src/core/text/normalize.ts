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
 * The key a word is looked up by in the teen-code dictionary. Teen-code is
 * typed without tone marks, so a word written with them is a real word and
 * matches only a key written the same way: "cảm" (feel) and "cấm" (forbid)
 * are not "cam" (Campuchia), "gọi" (call) is not "gòi" (rồi), "ạ" is not "a"
 * (anh). Only "đ" is folded ("đc" is "dc").
 */
export function teencodeKey(word: string): string {
  return keyOf(clean(word));
}

/** `teencodeKey` of a word already cleaned: only a word with tone marks needs more than folding. */
function keyOf(cleaned: string, folded = fold(cleaned)): string {
  return /^[a-z0-9đ]*$/.test(cleaned) || cleaned.replace(/đ/g, 'd') === folded
    ? folded
    : cleaned.replace(/đ/g, 'd');
}

/** The words as written (NFC, lower case) with their folded form. */
function writtenWords(text: string): { key: string; written: string; folded: string }[] {
  // Folding only removes marks and turns đ into d, so the cleaned and the folded
  // text split at the same places; folding the whole text once is the fast way.
  const cleaned = clean(text);
  const written = cleaned.split(SPLIT);
  const folded = cleaned.normalize('NFD').replace(MARKS, '').replace(/đ/g, 'd').split(SPLIT);
  const out: { key: string; written: string; folded: string }[] = [];
  for (let i = 0; i < written.length; i++) {
    const f = folded[i] ?? '';
    const w = written[i] as string;
    if (f) out.push({ key: keyOf(w, f), written: w, folded: f });
  }
  return out;
}

/** One word of a text: as written (NFC, lower case), folded, and its teen-code readings. */
export interface ReadWord {
  written: string;
  folded: string;
  readings?: readonly string[];
}

/** Each word of a text once, with everything the search needs from it (one pass). */
export function readWords(text: string, dict: TeencodeDictionary): ReadWord[] {
  return writtenWords(text).map((w) => {
    const readings = readingsOf(w, dict);
    return readings
      ? { written: w.written, folded: w.folded, readings }
      : { written: w.written, folded: w.folded };
  });
}
const SPLIT = /[^\p{L}\p{M}\p{N}]+/u;

/** The readings of one word; number-unit tokens ("30tr", "500k", "8h") are not read. */
function readingsOf(word: { key: string; folded: string }, dict: TeencodeDictionary) {
  return /^\d/.test(word.folded) ? undefined : dict.get(word.key);
}

/**
 * Folded words with teen-code read: "cty xkld ko" → [cong, ty, xuat, khau,
 * lao, dong, khong]. Number-unit tokens ("30tr", "500k", "8h") keep their
 * meaning as a number and are not read as "không" or "trời".
 */
export function expandedWords(text: string, dict: TeencodeDictionary): string[][] {
  return writtenWords(text).map((w) => {
    const readings = readingsOf(w, dict);
    return readings ? [...new Set([w.folded, ...readings])] : [w.folded];
  });
}

/** The primary reading of each word, in order: the sequence bigrams are built on. */
export function primarySequence(text: string, dict: TeencodeDictionary): string[] {
  return writtenWords(text).flatMap((w) => {
    const first = readingsOf(w, dict)?.[0];
    return first ? first.split(' ') : [w.folded];
  });
}

/**
 * The shape of a Vietnamese syllable with its diacritics removed: an initial
 * consonant, one to three vowels, a final consonant. English has no word of
 * that shape ending in "-ing"; Vietnamese writes "-inh".
 */
const VIETNAMESE_SYLLABLE =
  /^(?:ngh|ng|gh|gi|kh|nh|ph|qu|th|tr|ch|[bcdghklmnprstvx])?[aeiouy]{1,3}(?:ng|nh|ch|[cmnpt])?$/;

/**
 * Porter stem for English words. Folded Vietnamese syllables are left alone:
 * Porter turns a final "y" into "i", so "thay" (thấy, see) became "thai"
 * (Thái Lan), "giay" (giấy, paper) became "giai" (giải) and "ngay" "ngai".
 */
export function stem(word: string): string {
  if (word.length <= 3 || !/^[a-z]+$/.test(word)) return word;
  return isVietnameseSyllable(word) ? word : stemmer(word);
}

/** Whether a folded word has the shape of a Vietnamese syllable ("thay", "nguoi"; not "going"). */
export function isVietnameseSyllable(word: string): boolean {
  return VIETNAMESE_SYLLABLE.test(word) && !word.endsWith('ing');
}
