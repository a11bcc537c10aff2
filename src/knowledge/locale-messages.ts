import type { Messages } from './messages.js';

/**
 * Button labels: a missing one is shown in Vietnamese without a note, because
 * a note does not fit on a button and the reply around it carries one.
 */
const LABELS: ReadonlySet<string> = new Set([
  'menu',
  'talk_to_person',
  'menu_button',
  'read_more',
  'sources',
  'delete_yes',
  'delete_no',
  'safe_yes',
  'safe_no',
  'not_now',
  'cancel_button',
  'flow_resume',
  'languages_button',
]);

/** Never taken from another locale: they describe the locale itself. */
const OWN_ONLY: ReadonlySet<string> = new Set(['detect_words', 'detect_letters']);

/**
 * A locale's messages with every missing key taken from the default locale,
 * one key at a time (not the whole file), and each borrowed sentence
 * preceded by the locale's one-line note, so the person knows why this one
 * reply is in Vietnamese.
 */
export function withFallback(own: Partial<Messages>, base: Messages): Messages {
  const note = own.untranslated_note ?? base.untranslated_note;
  const merged: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(base)) {
    if (OWN_ONLY.has(key)) continue;
    const mine = own[key as keyof Messages];
    if (mine !== undefined) merged[key] = mine;
    else if (typeof value === 'string' && !LABELS.has(key)) merged[key] = `${note}\n${value}`;
    else merged[key] = value;
  }
  for (const key of OWN_ONLY) {
    const mine = own[key as keyof Messages];
    if (mine !== undefined) merged[key] = mine;
  }
  return merged as Messages;
}

/** The keys of the default locale that a locale does not translate. */
export function missingKeys(own: Partial<Messages>, base: Messages): string[] {
  return Object.keys(base).filter((k) => !OWN_ONLY.has(k) && !(k in own));
}
