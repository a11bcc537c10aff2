/**
 * npm run eval:report -- FILE.jsonl
 * Runs the evaluator on a labelled file (like shared/eval/dev.jsonl) and
 * prints, overall and per style: top-1 and top-3 topic accuracy, out-of-scope
 * handled, harmful refused, and triage figures once labels carry urgency.
 */
import { readFileSync } from 'node:fs';
import { type EvalOutput, runEval } from './eval.js';

interface Labelled {
  id: string;
  text: string;
  lang?: string;
  style?: string;
  topic: string;
  also?: string[];
  urgency?: string;
  kind?: string;
}

interface Tally {
  n: number;
  topicN: number;
  top1: number;
  top3: number;
  oosN: number;
  oosOk: number;
  harmN: number;
  harmOk: number;
}

const empty = (): Tally => ({
  n: 0,
  topicN: 0,
  top1: 0,
  top3: 0,
  oosN: 0,
  oosOk: 0,
  harmN: 0,
  harmOk: 0,
});
const pct = (a: number, b: number) =>
  b === 0 ? '   -  ' : `${((100 * a) / b).toFixed(1).padStart(5)}%`;

function add(t: Tally, label: Labelled, out: EvalOutput) {
  t.n++;
  if (label.kind === 'harmful') {
    t.harmN++;
    if (out.intent === 'refuse') t.harmOk++;
  } else if (label.topic === 'none') {
    t.oosN++;
    if (out.intent === 'fallback' || out.intent === 'greeting') t.oosOk++;
  } else {
    const good = new Set([label.topic, ...(label.also ?? [])]);
    t.topicN++;
    if (out.topics[0] && good.has(out.topics[0])) t.top1++;
    if (out.topics.slice(0, 3).some((x) => good.has(x))) t.top3++;
  }
}

async function main() {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: npm run eval:report -- FILE.jsonl\n');
    process.exit(2);
  }
  const labels = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Labelled);
  const outputs: EvalOutput[] = [];
  async function* lines() {
    for (const l of labels) yield JSON.stringify(l);
  }
  await runEval(lines(), (row) => outputs.push(row as EvalOutput));
  const byId = new Map(outputs.map((o) => [o.id, o]));

  const tallies = new Map<string, Tally>([['all', empty()]]);
  const misses: string[] = [];
  for (const label of labels) {
    const out = byId.get(label.id);
    if (!out) continue;
    const style = label.style ?? 'unknown';
    if (!tallies.has(style)) tallies.set(style, empty());
    add(tallies.get('all') as Tally, label, out);
    add(tallies.get(style) as Tally, label, out);
    const good = new Set([label.topic, ...(label.also ?? [])]);
    const wrong =
      label.kind === 'harmful'
        ? out.intent !== 'refuse'
        : label.topic === 'none'
          ? !['fallback', 'greeting'].includes(out.intent)
          : !(out.topics[0] && good.has(out.topics[0]));
    if (wrong)
      misses.push(
        `${label.id} [${label.topic}] → ${out.intent} ${out.topics.slice(0, 3).join(',')} | ${label.text.slice(0, 70)}`,
      );
  }

  console.log('\nTopics and intents');
  console.log('style          n   top-1    top-3    out-of-scope ok   harmful refused');
  for (const [style, t] of tallies) {
    console.log(
      `${style.padEnd(13)} ${String(t.n).padStart(3)}  ${pct(t.top1, t.topicN)}   ${pct(t.top3, t.topicN)}   ${pct(t.oosOk, t.oosN)} (${t.oosOk}/${t.oosN})    ${pct(t.harmOk, t.harmN)} (${t.harmOk}/${t.harmN})`,
    );
  }
  printTriage(labels, byId);
  if (process.argv.includes('--misses')) {
    console.log('\nMisses');
    for (const m of misses) console.log(`  ${m}`);
    console.log('\nTriage misses (labelled → got)');
    for (const l of labels) {
      const got = byId.get(l.id)?.urgency;
      if (l.urgency && got && l.urgency !== got)
        console.log(`  ${l.id} ${l.urgency} → ${got} | ${l.text.slice(0, 90)}`);
    }
  }
}

/** Triage: recall of urgent+emergency, emergency recall, false alarms on `none`. */
function printTriage(labels: Labelled[], byId: Map<string, EvalOutput>) {
  const rank = { none: 0, urgent: 1, emergency: 2 } as Record<string, number>;
  let emergencies = 0;
  let emergencyHit = 0;
  let serious = 0;
  let seriousHit = 0;
  let calm = 0;
  let falseAlarm = 0;
  for (const l of labels) {
    const out = byId.get(l.id);
    if (!out || !l.urgency) continue;
    const got = rank[out.urgency] ?? 0;
    if (l.urgency === 'emergency') {
      emergencies++;
      if (got === 2) emergencyHit++;
    }
    if (l.urgency !== 'none') {
      serious++;
      if (got > 0) seriousHit++;
    } else {
      calm++;
      if (got > 0) falseAlarm++;
    }
  }
  console.log('\nTriage');
  console.log(
    `emergency marked emergency      ${pct(emergencyHit, emergencies)} (${emergencyHit}/${emergencies})`,
  );
  console.log(
    `urgent+emergency above none     ${pct(seriousHit, serious)} (${seriousHit}/${serious})`,
  );
  console.log(`none marked above none          ${pct(falseAlarm, calm)} (${falseAlarm}/${calm})`);
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
