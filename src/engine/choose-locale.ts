import { words } from '../core/text/normalize.js';
import type { Conversation, Inbound, Locale } from '../core/types.js';
import { detectLanguage } from '../knowledge/detect-language.js';

/**
 * The language to answer in. It follows the person: a clear message in
 * another language switches it, but one short or unclear message never does,
 * and a language chosen from the menu sticks.
 */
export function chooseLocale(
  conversation: Pick<Conversation, 'locale' | 'context'> | undefined,
  inbound: Inbound,
  supported: readonly Locale[],
  fallback: Locale,
): Locale {
  const guess = inbound.text ? detectLanguage(inbound.text) : { locale: undefined, confidence: 0 };
  const detected = guess.locale && supported.includes(guess.locale) ? guess.locale : undefined;
  if (!conversation) {
    if (detected && guess.confidence >= 0.67) return detected;
    const hint = inbound.localeHint;
    if (hint && supported.includes(hint)) return hint;
    return detected ?? fallback;
  }
  if (conversation.context.localeChosen || !detected) return conversation.locale;
  const clear = guess.confidence >= 0.67 && words(inbound.text).length >= 3;
  return clear ? detected : conversation.locale;
}
