import type { Locale } from '../../core/types.js';
import type { LanguageGuess } from '../detect-language.js';
import { extractFacts, type Facts, mergeFacts, ungroundedFact } from './facts.js';
import { PLACEHOLDERS } from './scrub.js';

/** One curated passage sent to the model, under its topic id. */
export interface Passage {
  topicId: string;
  text: string;
}

/** Why a composed answer was not shown (a metrics label and a log field; never text). */
export type GuardReason =
  | 'empty'
  | 'too_long'
  | 'no_citation'
  | 'unknown_citation'
  | 'placeholder'
  | 'language'
  | `ungrounded_${keyof Facts}`;

export interface GuardInput {
  answer: string;
  /** The topic ids the model says it used. */
  topicIds: string[];
  /** What was sent: the only passages it may cite. */
  passages: Passage[];
  /** Facts of content/contacts.yaml: numbers and addresses the bot may always give. */
  contactFacts: Facts;
  /** Longest answer shown, in characters. */
  maxChars: number;
  /** The person's language. */
  locale: Locale;
  /** The knowledge base's language detector (`kb.detect`). */
  detect: (text: string) => LanguageGuess;
}

/**
 * The checks a composed answer must pass to be shown: it cites at least one
 * passage and only passages that were retrieved; every phone number, web
 * address, e-mail, money amount, article or number of a law, date and other
 * number in it appears in a cited passage or in contacts.yaml; it fits the
 * length; it is in the person's language; it does not repeat a placeholder
 * of removed personal data. Returns the first reason to refuse, or undefined.
 */
export function checkComposed(input: GuardInput): GuardReason | undefined {
  const answer = input.answer.trim();
  if (answer === '') return 'empty';
  if (answer.length > input.maxChars) return 'too_long';
  if (input.topicIds.length === 0) return 'no_citation';
  const sent = new Map(input.passages.map((p) => [p.topicId, p]));
  if (input.topicIds.some((id) => !sent.has(id))) return 'unknown_citation';
  if (Object.values(PLACEHOLDERS).some((p) => answer.includes(p))) return 'placeholder';
  if (!inLanguage(input.detect(answer), input.locale)) return 'language';
  const cited = input.topicIds.map((id) => extractFacts(sent.get(id)?.text ?? ''));
  const kind = ungroundedFact(extractFacts(answer), mergeFacts([...cited, input.contactFacts]));
  return kind ? `ungrounded_${kind}` : undefined;
}

/** When the detector is fairly sure, it must be the person's language; an unsure guess passes. */
function inLanguage(guess: LanguageGuess, locale: Locale): boolean {
  return !guess.locale || guess.confidence < 0.5 || guess.locale === locale;
}
