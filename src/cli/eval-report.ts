/**
 * npm run eval:report -- FILE.jsonl [--misses]
 *   Runs the engine on a labelled file (like shared/eval/dev.jsonl) and prints
 *   every figure overall, per style and per language.
 * npm run eval:report -- --cross-author [--folds K] [--misses]
 *   The honest figure for the learned model: authors of content/corpus/ are
 *   split into K folds; for each, a model is trained (thresholds included) on
 *   the other authors only, and the engine with that model answers the fold's
 *   lines. Prints each fold, the mean over folds, and per style and language.
 */
import { existsSync, readFileSync } from 'node:fs';
import { loadConfig } from '../config.js';
import { loadTriage } from '../handoff/triage.js';
import { loadCorpus } from '../knowledge/understand/corpus.js';
import { authorFolds, buildModel, prepare, readersOf } from '../knowledge/understand/train.js';
import { createUnderstanding } from '../knowledge/understand/understanding.js';
import { type Content, loadContent } from '../load-content.js';
import { type EvalOutput, runEval } from './eval.js';
import {
  type Counts,
  count,
  emptyCounts,
  type Labelled,
  meanLine,
  missed,
  table,
} from './eval-figures.js';

async function answer(labels: Labelled[], content?: Content): Promise<Map<string, EvalOutput>> {
  const outputs: EvalOutput[] = [];
  async function* lines() {
    for (const l of labels) yield JSON.stringify({ id: l.id, text: l.text, lang: l.lang });
  }
  await runEval(lines(), (row) => outputs.push(row as EvalOutput), content);
  return new Map(outputs.map((o) => [o.id, o]));
}

/** Counts overall and per style and per language. */
function grouped(labels: Labelled[], byId: Map<string, EvalOutput>): [string, Counts][] {
  const groups = new Map<string, Counts>([['all', emptyCounts()]]);
  const into = (name: string) => {
    if (!groups.has(name)) groups.set(name, emptyCounts());
    return groups.get(name) as Counts;
  };
  for (const label of labels) {
    const out = byId.get(label.id);
    if (!out) continue;
    count(into('all'), label, out);
    count(into(`style ${label.style ?? '?'}`), label, out);
    count(into(`lang ${label.lang ?? '?'}`), label, out);
  }
  return [...groups.entries()].sort((a, b) =>
    a[0] === 'all' ? -1 : b[0] === 'all' ? 1 : a[0] < b[0] ? -1 : 1,
  );
}

function printMisses(labels: Labelled[], byId: Map<string, EvalOutput>) {
  console.log('\nMisses (label → answer)');
  for (const l of labels) {
    const out = byId.get(l.id);
    const why = out && missed(l, out);
    if (out && why)
      console.log(
        `  ${l.id} [${l.kind ?? '?'} ${l.urgency ?? '?'} ${l.topic}] → ${out.intent} ${out.urgency} ${out.topics.slice(0, 3).join(',')} (${why}) | ${l.text.slice(0, 90)}`,
      );
  }
}

const readLabels = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Labelled);

async function fileReport(file: string, misses: boolean) {
  const labels = readLabels(file);
  const byId = await answer(labels);
  console.log(`\n${file}: figures in per cent (false alarms: lower is better)`);
  console.log(table(grouped(labels, byId)));
  if (misses) printMisses(labels, byId);
}

async function crossAuthor(k: number, misses: boolean) {
  const config = loadConfig();
  const content = loadContent(config.CONTENT_DIR, config.DEFAULT_LOCALE);
  const { knowledge } = content;
  const triage = loadTriage(config.CONTENT_DIR, knowledge.dict);
  const topicIds = knowledge.topicIds();
  const corpus = loadCorpus(config.CONTENT_DIR, topicIds);
  if (corpus.problems.length) throw new Error(corpus.problems.join('\n'));
  const lines = [...corpus.lines].sort((a, b) => (a.id < b.id ? -1 : 1));
  const data = prepare(lines, readersOf(knowledge, triage));
  const folds = authorFolds(data, k);
  const perFold: Counts[] = [];
  const all = new Map<string, EvalOutput>();
  const rows: [string, Counts][] = [];
  for (const [f, fold] of folds.entries()) {
    const held = new Set(fold);
    // Thresholds too are chosen inside the training authors (inner folds), never on this fold.
    const model = buildModel(
      data.filter((d) => !held.has(d.line.author)),
      topicIds,
      Math.min(3, folds.length - 1),
    );
    const understanding = createUnderstanding(model, knowledge.dict);
    const scored = lines.filter((l) => held.has(l.author));
    const byId = await answer(scored, { ...content, knowledge: { ...knowledge, understanding } });
    const c = emptyCounts();
    for (const l of scored) {
      const out = byId.get(l.id);
      if (out) {
        count(c, l, out);
        all.set(l.id, out);
      }
    }
    perFold.push(c);
    rows.push([`fold ${f + 1}: ${fold.join(',')}`.slice(0, 24), c]);
  }
  console.log(
    `\nCross-author: ${lines.length} lines, ${folds.flat().length} authors, ${folds.length} folds; per cent`,
  );
  console.log(table(rows));
  console.log(meanLine('mean over folds', perFold));
  console.log('\nPooled over folds, per style and language');
  console.log(table(grouped(lines, all)));
  if (misses) printMisses(lines, all);
}

async function main() {
  const args = process.argv.slice(2);
  const misses = args.includes('--misses');
  if (args.includes('--cross-author')) {
    const at = args.indexOf('--folds');
    const k = at >= 0 ? Number(args[at + 1]) : 4;
    if (!Number.isInteger(k) || k < 2)
      throw new Error('--folds needs a whole number of at least 2');
    await crossAuthor(k, misses);
    const dev = '../shared/eval/dev.jsonl';
    if (existsSync(dev)) await fileReport(dev, false);
    return;
  }
  const file = args.find((a) => !a.startsWith('--'));
  if (!file) {
    process.stderr.write(
      'usage: npm run eval:report -- FILE.jsonl [--misses] | --cross-author [--folds K] [--misses]\n',
    );
    process.exit(2);
  }
  await fileReport(file, misses);
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
