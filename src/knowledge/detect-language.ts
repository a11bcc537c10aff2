import { clean, words } from '../core/text/normalize.js';
import type { Locale } from '../core/types.js';

/** What tells one locale apart, from `detect_words` and `detect_letters` in its messages file. */
export interface LanguageProfile {
  locale: Locale;
  /** Common words, folded (no diacritics). */
  words: ReadonlySet<string>;
  /** Letters only this language uses among the ones we meet. */
  letters?: RegExp;
}

export interface LanguageGuess {
  locale: Locale | undefined;
  /** How sure: 0 (no idea) to 1 (its own letters seen, or a margin of three words or more). */
  confidence: number;
}

export const UNKNOWN: LanguageGuess = { locale: undefined, confidence: 0 };

/** A profile from a messages file's word list and letter class. */
export function languageProfile(
  locale: Locale,
  wordList: readonly string[] = [],
  letters?: string,
): LanguageProfile {
  return {
    locale,
    // Folded like a message; "don't" would fold to two words, neither telling, so it is left out.
    words: new Set(wordList.map((w) => words(w)).flatMap((ws) => (ws.length === 1 ? ws : []))),
    ...(letters ? { letters: new RegExp(`[${letters}]`, 'u') } : {}),
  };
}

/**
 * The language of one message. Letters only one language uses settle it at
 * once (Vietnamese "ộ", Khmer script); otherwise common words are counted
 * and the best language needs a margin over the second. A library such as
 * franc guesses from letter trigrams and fails on short, unaccented
 * Vietnamese ("ko dc k"), which is exactly how our users type, so word lists
 * kept in content serve better, and a new locale brings its own.
 */
export function detectLanguage(text: string, profiles: readonly LanguageProfile[]): LanguageGuess {
  const cleaned = clean(text);
  const lettered = profiles.filter((p) => p.letters?.test(cleaned));
  const [only] = lettered;
  if (only && lettered.length === 1) return { locale: only.locale, confidence: 1 };
  // Two languages share the letters seen (Tày is written with Vietnamese letters): words decide.
  const candidates = lettered.length > 1 ? lettered : profiles;
  const tokens = words(text);
  const scores = candidates
    .map((p) => ({ locale: p.locale, score: tokens.filter((t) => p.words.has(t)).length }))
    .sort((a, b) => b.score - a.score);
  const [best, second] = scores;
  if (!best || best.score === 0 || best.score === second?.score) return UNKNOWN;
  const margin = best.score - (second?.score ?? 0);
  return { locale: best.locale, confidence: Math.min(1, margin / 3) };
}
