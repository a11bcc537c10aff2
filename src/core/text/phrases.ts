import { clean, primarySequence, stem, type TeencodeDictionary, words } from './normalize.js';

/** A compiled list of phrases; `match` returns the first phrase found, if any. */
export interface PhraseMatcher {
  match(text: string): string | undefined;
  /** The phrase and the words of the text that matched it (folded, as the matcher read them). */
  find(text: string): { phrase: string; words: string } | undefined;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/**
 * Phrase lists written by people, matched on folded text. Words match whole
 * (so "hi" does not fire inside "chi"), compared by their English stem on both
 * sides, so "sell girls" matches "selling girls" and "forge" matches "forged".
 * `*` stands for up to three words and `#` for one number ("15", "150tr", "3.000").
 */
export function compilePhrases(
  phrases: readonly string[],
  dict: TeencodeDictionary,
): PhraseMatcher {
  const compiled = phrases.map((phrase) => {
    const parts = phrase
      .trim()
      .split(/\s+/)
      .map((w) =>
        w === '*' ? '(?: [^ ]+){0,3}' : w === '#' ? ' \\d[^ ]*' : ` ${escapeRegExp(stem(w))}`,
      );
    const source = `${parts.join('')}(?= )`;
    return { phrase, source, re: new RegExp(source) };
  });
  // One alternation answers "does any phrase match?" in a single pass; the
  // phrase itself is looked up only when something matched.
  const any = new RegExp(compiled.map((c) => `(?:${c.source})`).join('|'));
  function find(text: string) {
    const p = prepared(text, dict);
    if (!any.test(p.raw) && !any.test(p.read)) return undefined;
    for (const { phrase, re } of compiled) {
      const inRaw = re.exec(p.raw);
      const m = inRaw ?? re.exec(p.read);
      if (m)
        return {
          phrase,
          words: quote(inRaw ? p.rawTokens : p.readTokens, inRaw ? p.raw : p.read, m),
        };
    }
    return undefined;
  }
  return { find, match: (text) => find(text)?.phrase };
}

/**
 * The folded, stemmed forms of a text, as written and with teen-code read.
 * Many matchers screen the same message one after another, so the last one is kept.
 */
interface Prepared {
  text: string;
  dict: TeencodeDictionary;
  raw: string;
  read: string;
  /** The words as the person wrote them (with diacritics), one per token of `raw`. */
  rawTokens: string[];
  /** The words with teen-code read, one per token of `read`. */
  readTokens: string[];
}
let last: Prepared | undefined;
function prepared(text: string, dict: TeencodeDictionary): Prepared {
  if (last?.text !== text || last.dict !== dict) {
    const folded = words(text);
    const written = clean(text)
      .split(/[^\p{L}\p{N}]+/u)
      .filter(Boolean);
    const readTokens = primarySequence(text, dict);
    last = {
      text,
      dict,
      raw: ` ${folded.map(stem).join(' ')} `,
      read: ` ${readTokens.map(stem).join(' ')} `,
      rawTokens: written.length === folded.length ? written : folded,
      readTokens,
    };
  }
  return last;
}

/** The words of the text behind a match, as written rather than folded and stemmed. */
function quote(tokens: string[], line: string, m: RegExpExecArray): string {
  const start = line.slice(0, m.index).split(' ').filter(Boolean).length;
  const count = m[0].trim().split(' ').length;
  return tokens.slice(start, start + count).join(' ');
}

/** Whether the whole message is one of the phrases (ignoring punctuation and case). */
export function isWholeMessage(text: string, phrases: readonly string[]): boolean {
  const said = words(text).join(' ');
  return phrases.some((p) => words(p).join(' ') === said);
}
