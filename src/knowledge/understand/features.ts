import { primarySequence, type TeencodeDictionary } from '../../core/text/normalize.js';

/** Hashed feature space: 2^18 buckets keeps collisions rare for a few thousand messages. */
export const FEATURE_BITS = 18;
const MASK = (1 << FEATURE_BITS) - 1;

/** One message as the model sees it: bucket ids with weights (unit length), and its readable features. */
export interface FeatureVector {
  ids: Int32Array;
  values: Float32Array;
  /** The word, pair and triple features with their buckets, for explaining a decision ("nhot", "khong cho"). */
  words: { name: string; id: number }[];
}

const OFFSET = 0x811c9dc5;
const PRIME = 0x01000193;

/** FNV-1a, 32-bit: small, fast, and the same on every machine (no seed, no platform hash). */
export function hashFeature(s: string, from = OFFSET): number {
  let h = from;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), PRIME);
  return (h >>> 0) & MASK;
}
/** A word's full 32-bit hash, for the model's vocabulary (no bucket mask: collisions stay rare). */
export function wordHash(word: string): number {
  let h = OFFSET;
  for (let i = 0; i < word.length; i++) h = Math.imul(h ^ word.charCodeAt(i), PRIME);
  return h >>> 0;
}

/** The running hash of "c:", which every character n-gram starts from. */
const CHAR_PREFIX = (() => {
  let h = OFFSET;
  for (const ch of 'c:') h = Math.imul(h ^ ch.charCodeAt(0), PRIME);
  return h;
})();

/**
 * The features of a message: folded words after teen-code is read (so "ko",
 * "k", "hok" and "không" are one word, and typing with or without diacritics
 * meets), word pairs and triples (Vietnamese meaning lives in two-syllable
 * words and short phrases: "không cho ra"), and character 3- to 5-grams of the
 * folded text, which carry spelling slips, Telex leftovers ("tooi"), English
 * inflections and words the teen-code list does not know. Character n-grams
 * are hashed as they are read, without building their strings (this runs on
 * every message).
 */
export function messageFeatures(text: string, dict: TeencodeDictionary): FeatureVector {
  return featuresOf(primarySequence(text, dict));
}

/** The features of a message already read into its words (see messageFeatures). */
export function featuresOf(seq: readonly string[]): FeatureVector {
  const words: { name: string; id: number }[] = [];
  const joined = ` ${seq.join(' ')} `;
  // Every bucket, into one typed array sorted natively (a JS array and comparator cost more).
  const all = new Int32Array(1 + 3 * seq.length + 3 * joined.length);
  let size = 0;
  all[size++] = hashFeature('bias');
  const add = (name: string) => {
    const id = hashFeature(name);
    words.push({ name, id });
    all[size++] = id;
  };
  for (let i = 0; i < seq.length; i++) {
    add(`w:${seq[i]}`);
    if (i + 1 < seq.length) add(`b:${seq[i]}_${seq[i + 1]}`);
    if (i + 2 < seq.length) add(`t:${seq[i]}_${seq[i + 1]}_${seq[i + 2]}`);
  }
  for (let i = 0; i + 3 <= joined.length; i++) {
    let h = CHAR_PREFIX;
    for (let j = i; j < i + 5 && j < joined.length; j++) {
      h = Math.imul(h ^ joined.charCodeAt(j), PRIME);
      if (j - i >= 2) all[size++] = (h >>> 0) & MASK;
    }
  }
  // Each bucket once (a repeated word or a collision counts once), in a fixed order.
  const sorted = all.subarray(0, size).sort();
  let n = 0;
  for (let i = 0; i < sorted.length; i++)
    if (i === 0 || sorted[i] !== sorted[i - 1]) sorted[n++] = sorted[i] as number;
  const ids = sorted.slice(0, n);
  const values = new Float32Array(n).fill(1 / Math.sqrt(n));
  return { ids, values, words };
}
