/**
 * tsx scripts/corpus-import.ts DRAFT.jsonl AUTHOR
 * Turns an author's draft (lines without id or author) into content/corpus/AUTHOR.jsonl:
 * numbers the lines, adds the author, drops repeats (of its own lines or another author's
 * after folding: "alo" is written by many). Labels are kept as written.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { sameText } from '../src/knowledge/understand/corpus.js';

const [draft, author] = process.argv.slice(2);
if (!draft || !author || !/^[a-z0-9]+$/.test(author)) {
  process.stderr.write('usage: tsx scripts/corpus-import.ts DRAFT.jsonl AUTHOR\n');
  process.exit(2);
}
const seen = new Set<string>();
for (const file of readdirSync('content/corpus')) {
  if (!file.endsWith('.jsonl') || file === `${author}.jsonl`) continue;
  for (const row of readFileSync(`content/corpus/${file}`, 'utf8').split('\n')) {
    if (row.trim()) seen.add(sameText(JSON.parse(row).text));
  }
}
const out: string[] = [];
for (const row of readFileSync(draft, 'utf8').split('\n')) {
  if (!row.trim()) continue;
  const { id: _id, author: _a, ...line } = JSON.parse(row) as Record<string, unknown>;
  const key = sameText(String(line.text ?? ''));
  if (seen.has(key)) continue;
  seen.add(key);
  const id = `${author}-${String(out.length + 1).padStart(3, '0')}`;
  out.push(
    JSON.stringify({
      id,
      ...line,
      also: line.also ?? [],
      author,
      protective: line.protective === true,
    }),
  );
}
writeFileSync(`content/corpus/${author}.jsonl`, `${out.join('\n')}\n`);
process.stdout.write(`${out.length} lines → content/corpus/${author}.jsonl\n`);
