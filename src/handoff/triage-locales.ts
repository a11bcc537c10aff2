import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ContentError } from '../core/errors.js';

const phrases = z.array(z.string().min(1)).min(1);
/** `content/triage/<locale>.yaml`: a locale's own danger words, added to the shared lists. */
const localeTriageSchema = z
  .object({
    /** Phrases added to the signal of that id in triage.yaml. */
    signals: z.record(z.string(), phrases).default({}),
    /** Phrases that raise that signal to an emergency ("tonight", "now"). */
    emergency_with: z.record(z.string(), phrases).default({}),
    now: phrases.optional(),
    general: phrases.optional(),
    distance: phrases.optional(),
    abroad: phrases.optional(),
  })
  .strict();

/** The shape of triage.yaml that a locale's file extends. */
export interface PhraseLists {
  signals: { id: string; phrases: string[]; emergency_with?: string[] | undefined }[];
  now: string[];
  general: string[];
  distance: string[];
  abroad: string[];
}

/**
 * The shared triage lists with every locale's own phrases added, so that a
 * new language is screened for danger by dropping one file into content/,
 * with no code change. A phrase for an unknown signal id is an error (a
 * typo would otherwise silently never raise anything).
 */
export function withLocalePhrases<T extends PhraseLists>(spec: T, contentDir: string): T {
  const dir = join(contentDir, 'triage');
  if (!existsSync(dir)) return spec;
  const problems: string[] = [];
  const signals = spec.signals.map((s) => ({ ...s, phrases: [...s.phrases] }));
  const byId = new Map(signals.map((s) => [s.id, s]));
  const lists = {
    now: [...spec.now],
    general: [...spec.general],
    distance: [...spec.distance],
    abroad: [...spec.abroad],
  };
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.yaml'))) {
    const file = `triage/${name}`;
    const parsed = localeTriageSchema.safeParse(parseYaml(readFileSync(join(dir, name), 'utf8')));
    if (!parsed.success) {
      for (const i of parsed.error.issues)
        problems.push(`${file}: field "${i.path.join('.')}" ${i.message}`);
      continue;
    }
    const add = (field: 'signals' | 'emergency_with') => {
      for (const [id, words] of Object.entries(parsed.data[field])) {
        const signal = byId.get(id);
        if (!signal) problems.push(`${file}: ${field} names unknown signal "${id}"`);
        else if (field === 'signals') signal.phrases.push(...words);
        else signal.emergency_with = [...(signal.emergency_with ?? []), ...words];
      }
    };
    add('signals');
    add('emergency_with');
    for (const key of ['now', 'general', 'distance', 'abroad'] as const)
      lists[key].push(...(parsed.data[key] ?? []));
  }
  if (problems.length > 0) throw new ContentError(problems);
  return { ...spec, ...lists, signals };
}
