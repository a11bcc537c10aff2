import { readWords, stem, type TeencodeDictionary } from '../core/text/normalize.js';
import { STOPWORDS } from './stopwords.js';

/** Joins two syllables into one index term: "ho chieu" → "ho_chieu". */
const pair = (a: string, b: string) => `${a}_${b}`;

/**
 * The index and query terms of a text: folded, teen-code-read, stemmed
 * syllables without stopwords, plus adjacent syllable pairs, because most
 * Vietnamese words are two syllables and single folded syllables collide
 * ("ho" is hộ, họ, hồ...). Each line is paired separately so that two sample
 * questions never make a pair across their boundary.
 */
export function searchTerms(text: string, dict: TeencodeDictionary): string[] {
  const out: string[] = [];
  for (const line of text.split(/\n+/)) {
    // Each word is read once; the three kinds of term below all come from that reading.
    const words = readWords(line, dict);
    const seq: string[] = [];
    for (const w of words) {
      const readings = w.readings ? [...new Set([w.folded, ...w.readings])] : [w.folded];
      for (const reading of readings) {
        for (const syllable of reading.split(' ')) {
          if (!STOPWORDS.has(syllable)) out.push(stem(syllable));
        }
      }
      // The primary reading of each word, in order: what syllable pairs are built on.
      seq.push(...(w.readings?.[0] ?? w.folded).split(' '));
    }
    // Accented syllables also count as themselves, so "nhất" (most) does not
    // fully match "Nhật" (Japan) when the person typed diacritics.
    for (const w of words) {
      if (w.written !== w.folded && !STOPWORDS.has(w.folded)) out.push(`~${w.written}`);
    }
    for (let i = 0; i + 1 < seq.length; i++) {
      const a = seq[i] as string;
      const b = seq[i + 1] as string;
      if (STOPWORDS.has(a) && STOPWORDS.has(b)) continue;
      out.push(pair(stem(a), stem(b)));
    }
  }
  return out;
}

/** Whether a term is a syllable pair. */
export const isPair = (term: string) => term.includes('_');
