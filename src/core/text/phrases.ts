import { primarySequence, stem, type TeencodeDictionary, words } from './normalize.js';

/** A compiled list of phrases; `match` returns the first phrase found, if any. */
export interface PhraseMatcher {
  match(text: string): string | undefined;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/**
 * Phrase lists written by people, matched on folded text. Words match whole
 * (so "hi" does not fire inside "chi"), compared by their English stem on both
 * sides, so "sell girls" matches "selling girls" and "forge" matches "forged".
 * `*` stands for up to three words.
 */
export function compilePhrases(
  phrases: readonly string[],
  dict: TeencodeDictionary,
): PhraseMatcher {
  const compiled = phrases.map((phrase) => {
    const parts = phrase
      .trim()
      .split(/\s+/)
      .map((w) => (w === '*' ? '(?: [^ ]+){0,3}' : ` ${escapeRegExp(stem(w))}`));
    return { phrase, re: new RegExp(`${parts.join('')}(?= )`) };
  });
  return {
    match(text) {
      const raw = ` ${words(text).map(stem).join(' ')} `;
      const read = ` ${primarySequence(text, dict).map(stem).join(' ')} `;
      return compiled.find(({ re }) => re.test(raw) || re.test(read))?.phrase;
    },
  };
}

/** Whether the whole message is one of the phrases (ignoring punctuation and case). */
export function isWholeMessage(text: string, phrases: readonly string[]): boolean {
  const said = words(text).join(' ');
  return phrases.some((p) => words(p).join(' ') === said);
}
