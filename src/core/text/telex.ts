/**
 * Telex leftovers: on a phone whose Vietnamese keyboard is off or failing,
 * Telex typing arrives as its raw keys — "tooi bij khoas cuwar" for "tôi bị
 * khóa cửa", "ddwowcj" for "được", "Haanf Quoocs" for "Hàn Quốc". Read as
 * written, no list, no search and no model knows these words. Decoded (and
 * folded, as everything downstream is), they are plain Vietnamese again.
 */
import { isVietnameseSyllable } from './normalize.js';

const TONE = /[sfrxjz]$/;
/** Key pairs no Vietnamese syllable and few English words have. */
const MARKS = /dd|uw|ow|aw|aa|ee|oo/;

/** One word's folded Vietnamese reading, or undefined when it is not Telex. */
export function untelexWord(word: string): string | undefined {
  if (!/^[a-z]{2,}$/.test(word)) return undefined;
  const toned = TONE.test(word) && /[aeiouyw]/.test(word.slice(0, -1));
  if (!MARKS.test(word) && !toned) return undefined;
  const base = toned ? word.slice(0, -1) : word;
  const read = base
    .replace(/^dd/, 'd')
    .replace(/aa|aw/g, 'a')
    .replace(/ee/g, 'e')
    .replace(/oo|ow/g, 'o')
    .replace(/uw/g, 'u')
    .replace(/w/g, 'u');
  return read !== word && isVietnameseSyllable(read) ? read : undefined;
}

/**
 * The message with its Telex words decoded, when it is written that way: at
 * least two words carry Telex keys (a pair like "dd", "uw", "oo", or a tone
 * key at the end) and they are at least a quarter of the words. A single
 * "khoas" or "cas" in an otherwise plain message is left alone, and so is
 * English ("good food", "news"), which the caller keeps out by language.
 */
export function untelex(text: string): string {
  const parts = text.split(/([^\p{L}\p{N}]+)/u);
  let words = 0;
  let telex = 0;
  let paired = 0;
  const decoded = parts.map((part, i) => {
    if (i % 2 === 1 || part === '') return part;
    words++;
    const read = untelexWord(part.toLowerCase());
    if (read === undefined) return part;
    // A tone key on a word that is already a syllable ("las", "cos") counts only with a pair mark.
    if (!MARKS.test(part.toLowerCase()) && isVietnameseSyllable(part.toLowerCase())) return part;
    telex++;
    if (MARKS.test(part.toLowerCase())) paired++;
    return read;
  });
  return telex >= 2 && paired >= 1 && telex * 4 >= words ? decoded.join('') : text;
}
