import type { FlowChoice } from '../core/flow-types.js';
import { words } from '../core/text/normalize.js';

// Typed answers people use for yes / no / don't know, folded.
const YES = new Set([
  'co',
  'c',
  'yes',
  'y',
  'u',
  'uh',
  'um',
  'uk',
  'ok',
  'dung',
  'roi',
  'vang',
  'da',
  'co a',
  'yeah',
  'yep',
  'phai',
]);
const NO = new Set([
  'khong',
  'ko',
  'k',
  'kh',
  'hok',
  'hong',
  'khum',
  'no',
  'n',
  'nope',
  'chua',
  'ko co',
  'khong co',
  'k co',
  'not',
]);
const UNKNOWN = new Set([
  'khong biet',
  'ko biet',
  'k biet',
  'kb',
  'chua biet',
  'chua ro',
  'idk',
  'dont know',
  'don t know',
  'not sure',
  'i don t know',
  'i dont know',
  'khong ro',
]);

/**
 * Which choice a typed answer means: its number ("1", "2"), its label, or a
 * yes / no / don't-know word in Vietnamese (with or without diacritics,
 * teen-code) or English. Undefined when it fits none, so the engine can treat
 * the message as a question instead.
 */
export function matchChoice(text: string, choices: FlowChoice[]): FlowChoice | undefined {
  const said = words(text).join(' ');
  if (!said) return undefined;
  if (/^\d+$/.test(said)) return choices[Number(said) - 1];
  const byLabel = choices.find((c) => words(c.label).join(' ') === said || c.value === said);
  if (byLabel) return byLabel;
  const find = (value: string) => choices.find((c) => c.value === value);
  if (UNKNOWN.has(said)) return find('unknown');
  if (YES.has(said)) return find('yes');
  if (NO.has(said)) return find('no');
  return undefined;
}
