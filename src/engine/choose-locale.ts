import { words } from '../core/text/normalize.js';
import type { Conversation, Inbound, Locale } from '../core/types.js';
import type { LanguageGuess } from '../knowledge/detect-language.js';

/** The language to answer in, and a language this message pointed to without switching yet. */
export interface LocaleChoice {
  locale: Locale;
  /** Remembered for the next message: a second one in the same language switches. */
  pending: Locale | undefined;
}

/** How sure one message must be to switch: a margin of two common words... */
const CLEAR_CONFIDENCE = 0.67;
/** ...in a message of at least this many words. */
const CLEAR_WORDS = 3;

/**
 * The language to answer in. It follows the person: a clear message in
 * another language switches it, and so do two messages in a row in that
 * language; one short or unclear message never does (a wrong guess on "ok"
 * or a mixed "help em voi" must not flip the conversation). A language chosen
 * from the menu sticks.
 */
export function chooseLocale(
  conversation: Pick<Conversation, 'locale' | 'context'> | undefined,
  inbound: Inbound,
  guess: LanguageGuess,
  supported: readonly Locale[],
  fallback: Locale,
): LocaleChoice {
  const detected = guess.locale && supported.includes(guess.locale) ? guess.locale : undefined;
  if (!conversation) {
    if (detected && guess.confidence >= CLEAR_CONFIDENCE)
      return { locale: detected, pending: undefined };
    const hint = inbound.localeHint;
    if (hint && supported.includes(hint)) return { locale: hint, pending: detected };
    return { locale: detected ?? fallback, pending: undefined };
  }
  const stay = { locale: conversation.locale, pending: undefined };
  if (conversation.context.localeChosen || !detected || detected === conversation.locale)
    return stay;
  const clear = guess.confidence >= CLEAR_CONFIDENCE && words(inbound.text).length >= CLEAR_WORDS;
  const again = conversation.context.pendingLocale === detected;
  return clear || again
    ? { locale: detected, pending: undefined }
    : { locale: conversation.locale, pending: detected };
}
