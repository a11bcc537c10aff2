import type { TeencodeDictionary } from '../core/text/normalize.js';
import { compilePhrases } from '../core/text/phrases.js';

export interface SignSpec {
  id: string;
  weight: number;
  label: Record<string, string>;
  phrases: string[];
}

export interface FoundSign {
  id: string;
  label: string;
  /** The words in the ad that triggered it, as the matcher saw them (folded). */
  words: string;
  weight: number;
}

/** Finds the warning signs in a job ad, each with the words that triggered it. */
export function createJobAdAnalyzer(specs: SignSpec[], dict: TeencodeDictionary) {
  const compiled = specs.map((s) => ({ spec: s, matcher: compilePhrases(s.phrases, dict) }));
  return (text: string, locale: string): FoundSign[] =>
    compiled.flatMap(({ spec, matcher }) => {
      const found = matcher.find(text);
      return found
        ? [
            {
              id: spec.id,
              label: spec.label[locale] ?? spec.label.vi ?? spec.id,
              words: found.words,
              weight: spec.weight,
            },
          ]
        : [];
    });
}
