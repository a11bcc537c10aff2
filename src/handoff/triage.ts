import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ContentError } from '../core/errors.js';
import type { TeencodeDictionary } from '../core/text/normalize.js';
import { compilePhrases, type PhraseMatcher } from '../core/text/phrases.js';
import type { Urgency } from '../core/types.js';
import { withLocalePhrases } from './triage-locales.js';

/** One reason a message was raised, in words a counsellor can read. */
export interface TriageSignal {
  id: string;
  level: Exclude<Urgency, 'none'>;
  label: string;
  /** The phrase that matched, as written in triage.yaml (folded). */
  words: string;
  /**
   * Trusted on its own (a suicidal statement, a cry for help, a threat to kill): never
   * lowered by context, and a floor even where the learned model judges the message calm.
   */
  firm?: true;
}

export interface TriageResult {
  level: Urgency;
  signals: TriageSignal[];
  /** The message names a place abroad: the safety reply adds the citizen-protection line. */
  abroad: boolean;
}

const phrases = z.array(z.string().min(1)).min(1);
const triageSchema = z.object({
  signals: z.array(
    z.object({
      id: z.string().min(1),
      level: z.enum(['urgent', 'emergency']),
      label: z.string().min(3),
      /** Never lowered by news, school, film, past or "what if" context (suicide, a cry for help). */
      firm: z.boolean().default(false),
      phrases,
      /** When also matched, the signal is raised to emergency (for example "tonight", "now"). */
      emergency_with: phrases.optional(),
    }),
  ),
  /** Words that make an event present: they cancel the distance markers. */
  now: phrases,
  /** General questions, hypotheticals, other people's stories: one level down. */
  general: phrases,
  /** News, school work, films, long-past events, jokes: no alarm. */
  distance: phrases,
  abroad: phrases,
  /** Figurative speech read before the signals and left out of them ("mệt muốn chết" after a night shift). */
  idioms: phrases.optional(),
  /** Languages these shared phrases are written in; another adds its own in triage/<locale>.yaml. */
  locales: z.array(z.string()).default([]),
});

export interface Triage {
  screen(text: string): TriageResult;
}

const RANK: Record<Urgency, number> = { none: 0, urgent: 1, emergency: 2 };
export const maxUrgency = (a: Urgency, b: Urgency): Urgency => (RANK[a] >= RANK[b] ? a : b);

/**
 * Screens every message for danger, deterministically and without network.
 * Phrase lists live in content/triage.yaml so counsellors can extend them;
 * they are matched on folded text after teen-code is read, so "bị nhốt",
 * "bi nhot" and "bj nhốt" are one phrase. When unsure it errs upward: a
 * distance marker (news, a film, "ngày xưa") silences a signal, and a general
 * question ("nếu... thì", "người lao động...") lowers it one level, only when
 * nothing says it is happening now, and never for a firm signal.
 */
export function loadTriage(contentDir: string, dict: TeencodeDictionary): Triage {
  const file = join(contentDir, 'triage.yaml');
  const parsed = triageSchema.safeParse(parseYaml(readFileSync(file, 'utf8')));
  if (!parsed.success) {
    throw new ContentError(
      parsed.error.issues.map((i) => `triage.yaml: field "${i.path.join('.')}" ${i.message}`),
    );
  }
  const spec = withLocalePhrases(parsed.data, contentDir);
  const signals = spec.signals.map((s) => ({
    ...s,
    matcher: compilePhrases(s.phrases, dict),
    boost: s.emergency_with ? compilePhrases(s.emergency_with, dict) : undefined,
  }));
  const now = compilePhrases(spec.now, dict);
  const general = compilePhrases(spec.general, dict);
  const distance = compilePhrases(spec.distance, dict);
  const abroad = compilePhrases(spec.abroad, dict);
  const idioms = spec.idioms ? compilePhrases(spec.idioms, dict) : undefined;

  return {
    screen(written) {
      const text = idioms ? withoutIdioms(written, idioms) : written;
      const found: TriageSignal[] = [];
      const present = now.match(text) !== undefined;
      const distant = !present && distance.match(text) !== undefined;
      const generic = !present && general.match(text) !== undefined;
      for (const s of signals) {
        // The words as the person wrote them, for the counsellor to read.
        const words = s.matcher.find(text)?.words;
        if (!words || (distant && !s.firm)) continue;
        let level: Urgency = s.level === 'urgent' && s.boost?.match(text) ? 'emergency' : s.level;
        if (generic && !s.firm) level = level === 'emergency' ? 'urgent' : 'none';
        if (level !== 'none')
          found.push({ id: s.id, level, label: s.label, words, ...(s.firm ? { firm: true } : {}) });
      }
      const level = found.reduce<Urgency>((acc, s) => maxUrgency(acc, s.level), 'none');
      return { level, signals: found, abroad: abroad.match(text) !== undefined };
    },
  };
}

/**
 * The text with its figures of speech taken out, so that "mệt muốn chết, không muốn
 * sống nữa" still reads as suicidal but "ca đêm mệt muốn chết" does not. An idiom
 * found only after teen-code is read stays in (its words are not in the text as
 * written): when unsure, the signal fires.
 */
function withoutIdioms(text: string, idioms: PhraseMatcher): string {
  let out = text;
  for (let i = 0; i < 5; i++) {
    const found = idioms.find(out);
    if (!found) break;
    const words = found.words.split(' ').map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    const next = out.replace(new RegExp(words.join('[^\\p{L}\\p{N}]+'), 'iu'), ' ');
    if (next === out) break;
    out = next;
  }
  return out;
}
