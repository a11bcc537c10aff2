import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ContentError } from '../core/errors.js';
import type { TeencodeDictionary } from '../core/text/normalize.js';
import { compilePhrases, isWholeMessage } from '../core/text/phrases.js';
import type { Locale } from '../core/types.js';

const phraseList = z.array(z.string().min(1)).min(1);
const intentsSchema = z.object({
  greeting: phraseList,
  handoff: phraseList,
  delete: phraseList,
  menu: phraseList,
  cancel: phraseList,
  exit: phraseList,
  flows: z.record(z.string(), phraseList),
  language: z.record(z.string(), phraseList),
  harmful: z.object({ asks_how: phraseList, acts: phraseList, protective: phraseList }),
});

/** What a message asks for besides a topic, read from `content/intents.yaml`. */
export interface IntentDetector {
  isGreeting(text: string): boolean;
  wantsPerson(text: string): boolean;
  wantsDelete(text: string): boolean;
  isMenu(text: string): boolean;
  /** The whole message withdraws a request for a person ("hủy", "cancel"). */
  isCancel(text: string): boolean;
  /** The whole message is the exit word ("thoát", "exit"): delete and leave quietly. */
  isExit(text: string): boolean;
  /** The guided check the whole message asks for ("kiểm tra việc làm"). */
  flowRequest(text: string): string | undefined;
  /** The locale asked for when the whole message names a language ("English", "tiếng Việt"). */
  languageRequest(text: string): Locale | undefined;
  /** Asks for a way to traffic, smuggle, forge, buy a child or an organ, or evade the police. */
  isHarmfulRequest(text: string): boolean;
  /** Asks in order to protect: to recognise, prevent, teach, report (it is never refused). */
  isProtective(text: string): boolean;
}

export function loadIntents(contentDir: string, dict: TeencodeDictionary): IntentDetector {
  const parsed = intentsSchema.safeParse(
    parseYaml(readFileSync(join(contentDir, 'intents.yaml'), 'utf8')),
  );
  if (!parsed.success) {
    throw new ContentError(
      parsed.error.issues.map((i) => `intents.yaml: field "${i.path.join('.')}" ${i.message}`),
    );
  }
  const spec = parsed.data;
  const greeting = compilePhrases(spec.greeting, dict);
  const handoff = compilePhrases(spec.handoff, dict);
  const remove = compilePhrases(spec.delete, dict);
  const asksHow = compilePhrases(spec.harmful.asks_how, dict);
  const acts = compilePhrases(spec.harmful.acts, dict);
  const protective = compilePhrases(spec.harmful.protective, dict);
  return {
    isGreeting: (text) => greeting.match(text) !== undefined,
    wantsPerson: (text) => handoff.match(text) !== undefined,
    wantsDelete: (text) => remove.match(text) !== undefined,
    isMenu: (text) => isWholeMessage(text, spec.menu),
    isCancel: (text) => isWholeMessage(text, spec.cancel),
    isExit: (text) => isWholeMessage(text, spec.exit),
    flowRequest: (text) =>
      Object.entries(spec.flows).find(([, phrases]) => isWholeMessage(text, phrases))?.[0],
    languageRequest: (text) =>
      Object.entries(spec.language).find(([, phrases]) => isWholeMessage(text, phrases))?.[0],
    isHarmfulRequest: (text) =>
      acts.match(text) !== undefined &&
      asksHow.match(text) !== undefined &&
      protective.match(text) === undefined,
    isProtective: (text) => protective.match(text) !== undefined,
  };
}
