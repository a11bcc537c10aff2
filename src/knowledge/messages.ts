import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ContentError } from '../core/errors.js';

const text = z.string().min(1);

/** Words that are common in a language and rare in the others: a list, or one string split on spaces. */
const wordList = z
  .union([z.string(), z.array(z.string())])
  .transform((v) => (typeof v === 'string' ? v.split(/\s+/) : v).filter((w) => w.length > 0));

/** The inside of a regular-expression character class, e.g. `ăâđơư` or `\u1780-\u17FF`. */
const letterClass = z.string().refine(
  (s) => {
    try {
      new RegExp(`[${s}]`, 'u');
      return true;
    } catch {
      return false;
    }
  },
  { message: 'must be the inside of a character class, e.g. "ăâđ" or "\\u1780-\\u17FF"' },
);

/** UI strings of one locale: `content/messages/<locale>.yaml`. */
export const messagesSchema = z.object({
  /** The language's own name, shown on the language menu ("Tiếng Việt", "English"). */
  language_name: text,
  /** Above the list of languages. */
  language_prompt: text,
  /** The menu button that opens the list of languages when there are many. */
  languages_button: text,
  /** One line shown above a piece that is not translated into this locale yet. */
  untranslated_note: text,
  /** For detecting the language of a message (optional). */
  detect_words: wordList.optional(),
  detect_letters: letterClass.optional(),
  greeting: text,
  menu_prompt: text,
  menu: z.array(z.object({ label: text, payload: text })).min(2),
  fallback: text,
  clarify: text,
  talk_to_person: text,
  menu_button: text,
  read_more: text,
  sources: text,
  profile_ask: text,
  profile_self: text,
  profile_relative: text,
  profile_other: text,
  profile_skip: text,
  profile_province_ask: text,
  profile_thanks: text,
  refuse: text,
  language_set: text,
  delete_confirm: text,
  delete_yes: text,
  delete_no: text,
  deleted: text,
  delete_kept: text,
  too_long: text,
  not_text: text,
  emergency: text,
  emergency_abroad: text,
  safe_to_chat: text,
  safe_yes: text,
  safe_no: text,
  safe_yes_reply: text,
  safe_no_reply: text,
  urgent_offer: text,
  not_now: text,
  queued: text,
  nobody_online: text,
  outside_hours: text,
  cancel_button: text,
  cancelled: text,
  counsellor_joined: text,
  counsellor_closed: text,
  flow_resume: text,
  exit_confirm: text,
  exit_done: text,
  /** Sent once per window to someone writing faster than the per-user limit. */
  rate_limited: text,
});

export type Messages = z.infer<typeof messagesSchema>;

/**
 * What every shipped locale must say itself, never through the Vietnamese
 * fallback: its name and the fallback note, the emergency safety reply, and
 * the "talk to a person" messages. A person in danger, or waiting for a
 * counsellor, must not be answered only in a language they did not write.
 */
export const REQUIRED_IN_EVERY_LOCALE = [
  'language_name',
  'untranslated_note',
  'language_set',
  'emergency',
  'emergency_abroad',
  'safe_to_chat',
  'safe_yes',
  'safe_no',
  'safe_yes_reply',
  'safe_no_reply',
  'talk_to_person',
  'urgent_offer',
  'queued',
  'nobody_online',
  'outside_hours',
  'cancel_button',
  'cancelled',
  'counsellor_joined',
  'counsellor_closed',
] as const satisfies readonly (keyof Messages)[];

/** Another locale's file: anything may be missing except the keys above. */
const partialSchema = messagesSchema.partial();

/** Every locale's own messages as written: complete for the default locale, maybe partial for others. */
export type LocaleMessages = Map<string, Partial<Messages>>;

/** Reads every locale's messages, returning the problems (naming file and field) instead of throwing. */
export function readMessages(
  contentDir: string,
  defaultLocale = 'vi',
): { messages: LocaleMessages; problems: string[] } {
  const dir = join(contentDir, 'messages');
  const messages: LocaleMessages = new Map();
  const problems: string[] = [];
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.yaml'))) {
    const file = `messages/${name}`;
    const locale = name.slice(0, -5);
    let data: unknown;
    try {
      data = parseYaml(readFileSync(join(dir, name), 'utf8'));
    } catch (error) {
      problems.push(`${file}: not valid YAML: ${(error as Error).message}`);
      continue;
    }
    const missing = REQUIRED_IN_EVERY_LOCALE.filter(
      (key) => typeof data !== 'object' || data === null || !(key in data),
    );
    for (const key of missing)
      problems.push(
        `${file}: field "${key}" is missing (every locale needs its name, the emergency reply and the "talk to a person" messages)`,
      );
    const schema = locale === defaultLocale ? messagesSchema : partialSchema;
    const parsed = schema.safeParse(data);
    if (parsed.success && missing.length === 0) messages.set(locale, parsed.data);
    else if (!parsed.success)
      for (const issue of parsed.error.issues)
        problems.push(`${file}: field "${issue.path.join('.')}" ${issue.message}`);
  }
  if (
    !messages.has(defaultLocale) &&
    !problems.some((p) => p.startsWith(`messages/${defaultLocale}.`))
  )
    problems.push(
      `messages/${defaultLocale}.yaml: missing (the default locale needs every message)`,
    );
  return { messages, problems };
}

/** Loads every locale's messages; throws a ContentError naming every file and field at once. */
export function loadMessages(contentDir: string, defaultLocale = 'vi'): LocaleMessages {
  const { messages, problems } = readMessages(contentDir, defaultLocale);
  if (problems.length > 0) throw new ContentError(problems);
  return messages;
}

/** Fills `{name}` placeholders. */
export function format(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) =>
    key in values ? String(values[key]) : whole,
  );
}
