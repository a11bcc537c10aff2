import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { words } from '../../core/text/normalize.js';

export const KINDS = [
  'question',
  'situation',
  'handoff-request',
  'out-of-scope',
  'greeting',
  'harmful',
] as const;
export type MessageKind = (typeof KINDS)[number];
export const URGENCIES = ['none', 'urgent', 'emergency'] as const;
export const STYLES = [
  'diacritics',
  'no-diacritics',
  'teencode',
  'english',
  'mixed',
  'dialect',
  'l2',
] as const;

/** One labelled message, as `shared/eval/LABELS.md` defines the labels. */
export const corpusLine = z.strictObject({
  id: z.string().regex(/^[a-z0-9]+-\d{3,}$/),
  text: z.string().min(1).max(1500),
  lang: z.string().min(2),
  kind: z.enum(KINDS),
  urgency: z.enum(URGENCIES),
  topic: z.string().min(1),
  also: z.array(z.string()).default([]),
  style: z.enum(STYLES),
  author: z.string().regex(/^[a-z0-9]+$/),
  /** A question that sounds like a harmful one but protects (a teacher, a parent): must be answered. */
  protective: z.boolean().default(false),
});
export type CorpusLine = z.infer<typeof corpusLine>;

/** The folded words of a text, joined: two lines that differ only in marks or spacing are one. */
export const sameText = (text: string) => words(text).join(' ');
export const textHash = (text: string) =>
  createHash('sha256').update(sameText(text)).digest('hex').slice(0, 16);

export interface CorpusProblems {
  lines: CorpusLine[];
  problems: string[];
}

/**
 * Reads `content/corpus/<author>.jsonl` and checks every line: the labels,
 * topic ids that exist, one author per file, no duplicate (after folding),
 * and no line of the development set (`excluded.txt` holds hashes of its
 * folded texts, so the corpus can be checked without the set itself).
 */
export function loadCorpus(contentDir: string, topicIds: readonly string[]): CorpusProblems {
  const dir = join(contentDir, 'corpus');
  const problems: string[] = [];
  const lines: CorpusLine[] = [];
  if (!existsSync(dir)) return { lines, problems: ['corpus/: folder missing'] };
  const topics = new Set(topicIds);
  const excludedFile = join(dir, 'excluded.txt');
  const excluded = new Set(
    existsSync(excludedFile)
      ? readFileSync(excludedFile, 'utf8')
          .split('\n')
          .map((l) => l.trim())
          .filter((l) => /^[0-9a-f]{16}$/.test(l))
      : [],
  );
  const seen = new Map<string, string>();
  const ids = new Set<string>();
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .sort();
  for (const file of files) {
    const author = basename(file, '.jsonl');
    const rows = readFileSync(join(dir, file), 'utf8').split('\n');
    rows.forEach((row, i) => {
      if (row.trim() === '') return;
      const where = `corpus/${file}:${i + 1}`;
      let raw: unknown;
      try {
        raw = JSON.parse(row);
      } catch {
        problems.push(`${where}: not JSON`);
        return;
      }
      const parsed = corpusLine.safeParse(raw);
      if (!parsed.success) {
        for (const issue of parsed.error.issues)
          problems.push(`${where}: field "${issue.path.join('.')}" ${issue.message}`);
        return;
      }
      const line = parsed.data;
      const bad = (why: string) => problems.push(`${where} (${line.id}): ${why}`);
      if (line.author !== author) bad(`author "${line.author}" in the file of "${author}"`);
      if (!line.id.startsWith(`${author}-`)) bad(`id must start with "${author}-"`);
      if (ids.has(line.id)) bad('id used twice');
      ids.add(line.id);
      // Out of scope, greetings and harmful requests have no topic; a figurative "mệt muốn
      // chết" about a night shift may be a situation without one.
      const noTopic = ['out-of-scope', 'greeting', 'harmful'].includes(line.kind);
      if (noTopic && line.topic !== 'none') bad(`a ${line.kind} message has topic "none"`);
      if (line.topic !== 'none' && !topics.has(line.topic)) bad(`unknown topic "${line.topic}"`);
      for (const t of line.also) if (!topics.has(t)) bad(`unknown topic "${t}" in also`);
      if (line.protective && line.kind !== 'question') bad('only a question can be protective');
      if ((line.kind === 'out-of-scope' || line.kind === 'greeting') && line.urgency !== 'none')
        bad(`a ${line.kind} message has urgency "none"`);
      const key = sameText(line.text);
      const first = seen.get(key);
      if (first) bad(`same text as ${first}`);
      else seen.set(key, line.id);
      if (excluded.has(textHash(line.text))) bad('a line of the development set');
      lines.push(line);
    });
  }
  return { lines, problems };
}
