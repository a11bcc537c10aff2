import { primarySequence, type TeencodeDictionary } from '../../core/text/normalize.js';

/** Hashed feature space: 2^18 buckets keeps collisions rare for a few thousand messages. */
export const FEATURE_BITS = 18;
const MASK = (1 << FEATURE_BITS) - 1;

/** One message as the model sees it: bucket ids with weights (unit length), and the readable names. */
export interface FeatureVector {
  ids: Int32Array;
  values: Float32Array;
  /** The feature behind each id, for explaining a decision ("w:nhot", "b:khong_cho"). */
  names: string[];
}

/** FNV-1a, 32-bit: small, fast, and the same on every machine (no seed, no platform hash). */
export function hashFeature(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) & MASK;
}

/**
 * The features of a message: folded words after teen-code is read (so "ko",
 * "k", "hok" and "không" are one word, and typing with or without diacritics
 * meets), word pairs and triples (Vietnamese meaning lives in two-syllable
 * words and short phrases: "không cho ra"), and character 3- to 5-grams of the
 * folded text, which carry spelling slips, Telex leftovers ("tooi"), English
 * inflections and words the teen-code list does not know.
 */
export function messageFeatures(text: string, dict: TeencodeDictionary): FeatureVector {
  const seq = primarySequence(text, dict);
  const names = new Set<string>();
  for (let i = 0; i < seq.length; i++) {
    names.add(`w:${seq[i]}`);
    if (i + 1 < seq.length) names.add(`b:${seq[i]}_${seq[i + 1]}`);
    if (i + 2 < seq.length) names.add(`t:${seq[i]}_${seq[i + 1]}_${seq[i + 2]}`);
  }
  const joined = ` ${seq.join(' ')} `;
  for (let n = 3; n <= 5; n++) {
    for (let i = 0; i + n <= joined.length; i++) names.add(`c:${joined.slice(i, i + n)}`);
  }
  // A bias feature, so that an empty or unreadable message still has a vector.
  names.add('bias');
  const list = [...names];
  const ids = new Int32Array(list.length);
  const values = new Float32Array(list.length);
  const weight = 1 / Math.sqrt(list.length);
  for (let i = 0; i < list.length; i++) {
    ids[i] = hashFeature(list[i] as string);
    values[i] = weight;
  }
  return { ids, values, names: list };
}
