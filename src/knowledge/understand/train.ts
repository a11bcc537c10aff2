/**
 * Training and threshold choice, shared by `npm run train` and the
 * cross-author report. Every threshold is chosen on out-of-fold predictions:
 * authors are split into folds, a model trained without a fold scores it, and
 * the thresholds are chosen on those scores, never on what the final model saw.
 */
import type { TeencodeDictionary } from '../../core/text/normalize.js';
import type { Urgency } from '../../core/types.js';
import type { KnowledgeBase } from '../knowledge-base.js';
import type { Retrieval } from '../retrieve.js';
import { floorOf, fuseTopics, isRefused, joinedLevel } from './combine.js';
import type { CorpusLine } from './corpus.js';
import { KINDS, URGENCIES } from './corpus.js';
import { type FeatureVector, messageFeatures, wordHash } from './features.js';
import {
  DEFAULT_TRAINING,
  quantize,
  type SoftmaxHead,
  type TrainOptions,
  trainSoftmax,
} from './softmax.js';
import {
  decide,
  type HeadName,
  type Model,
  modelLevel,
  modelReads,
  type Scores,
  scoreFeatures,
  type Thresholds,
} from './understanding.js';

/** A corpus line with everything training and threshold choice need, computed once. */
export interface Prepared {
  line: CorpusLine;
  x: FeatureVector;
  /** What the phrase rules say on their own (`floor`: their firm signals alone, see joinedLevel). */
  rules: { level: Urgency; floor: Urgency; harmful: boolean; protective: boolean };
  /** The model judges it at all (see modelReads). */
  readable: boolean;
  found: Retrieval;
}

/** What training needs of the rest of the content: the rules and the search, as the engine reads. */
export interface RuleReaders {
  dict: TeencodeDictionary;
  /** Telex leftovers decoded, as the engine reads a message (KnowledgeBase.readable). */
  readable(text: string): string;
  /** Every signal's level, and the firm signals' alone. */
  triageLevels(text: string): { level: Urgency; floor: Urgency };
  rulesHarmful(text: string): boolean;
  rulesProtective(text: string): boolean;
  retrieve(text: string): Retrieval;
}

/** The readers over loaded content (the triage is passed in: this folder does not import handoff/). */
export function readersOf(
  kb: Pick<KnowledgeBase, 'dict' | 'readable' | 'intents' | 'retrieve'>,
  triage: { screen(text: string): { level: Urgency; signals: { level: Urgency; firm?: true }[] } },
): RuleReaders {
  return {
    dict: kb.dict,
    readable: (t) => kb.readable(t),
    triageLevels(t) {
      const { level, signals } = triage.screen(t);
      return { level, floor: floorOf(signals) };
    },
    rulesHarmful: (t) => kb.intents.isHarmfulRequest(t),
    rulesProtective: (t) => kb.intents.isProtective(t),
    retrieve: (t) => kb.retrieve(t),
  };
}

export function prepare(lines: CorpusLine[], readers: RuleReaders): Prepared[] {
  return lines.map((line) => {
    const text = readers.readable(line.text);
    return {
      line,
      x: messageFeatures(text, readers.dict),
      rules: {
        ...readers.triageLevels(text),
        harmful: readers.rulesHarmful(text),
        protective: readers.rulesProtective(text),
      },
      // The vocabulary check is left out here: nearly every corpus word is in some fold's vocabulary.
      readable: modelReads(text, readers.dict),
      found: readers.retrieve(text),
    };
  });
}

/**
 * Recall targets for choosing thresholds on out-of-fold scores: an emergency
 * missed is the worst error this service can make, so its threshold is set
 * first, as high as it can be while catching this share (a point above the
 * 97% and 93% that people who never wrote the corpus must see).
 */
export const TARGETS = { emergencyRecall: 0.98, escalationRecall: 0.94 };

/**
 * How sure the model must be that a message is calm before the phrase rules other
 * than the firm ones stop counting (joinedLevel). A policy, not fitted: on the
 * corpus's out-of-fold scores the rules added almost no recall at any value, so a
 * fit would drop them; kept low because messages unlike the corpus (dev.jsonl's
 * "my employer keeps my residence card") get a little concern from the model and
 * the whole rule.
 */
export const RULE_SUPPORT = 0.1;

/** Urgent and emergency count more in training: a missed one costs more than a false alarm. */
const URGENCY_WEIGHT: Record<string, number> = { none: 1, urgent: 1.5, emergency: 2 };

export function trainHeads(
  data: Prepared[],
  topicIds: string[],
  options: TrainOptions = DEFAULT_TRAINING,
): Record<HeadName, SoftmaxHead> {
  return {
    urgency: trainSoftmax(
      [...URGENCIES],
      data.map((d) => ({ x: d.x, label: d.line.urgency, weight: URGENCY_WEIGHT[d.line.urgency] })),
      options,
    ),
    kind: trainSoftmax(
      [...KINDS],
      data.map((d) => ({ x: d.x, label: d.line.kind })),
      options,
    ),
    topic: trainSoftmax(
      topicIds,
      data.filter((d) => d.line.topic !== 'none').map((d) => ({ x: d.x, label: topicTaught(d) })),
      options,
    ),
  };
}

/**
 * The topic the topic head learns from a line: an emergency's specific topic (its first
 * `also`: scam-compounds, document-confiscation) rather than `in-danger-now`. Triage puts
 * `in-danger-now` first on every emergency it catches whatever this head says, and taught
 * it, the head pulled stories of ongoing exploitation there too: on authors it never saw,
 * right first topics rose from 83.1% to 85.9% of questions and situations.
 */
const topicTaught = (d: Prepared) =>
  d.line.urgency === 'emergency' ? (d.line.also[0] ?? d.line.topic) : d.line.topic;

/** Authors in k folds: sorted by name, dealt round-robin, so the folds do not depend on file order. */
export function authorFolds(data: Prepared[], k: number): string[][] {
  const authors = [...new Set(data.map((d) => d.line.author))].sort();
  const folds: string[][] = Array.from({ length: Math.min(k, authors.length) }, () => []);
  authors.forEach((a, i) => {
    folds[i % folds.length]?.push(a);
  });
  return folds;
}

/** Each line's scores from a model trained without its author's fold. */
export function outOfFold(
  data: Prepared[],
  topicIds: string[],
  k: number,
  options: TrainOptions = DEFAULT_TRAINING,
): Scores[] {
  const scores: Scores[] = new Array(data.length);
  for (const fold of authorFolds(data, k)) {
    const held = new Set(fold);
    const heads = trainHeads(
      data.filter((d) => !held.has(d.line.author)),
      topicIds,
      options,
    );
    data.forEach((d, i) => {
      if (held.has(d.line.author)) scores[i] = scoreFeatures({ heads }, d.x);
    });
  }
  return scores;
}

const GRID = Array.from({ length: 99 }, (_, i) => (i + 1) / 100);
/**
 * When the model refuses over a protective phrase: "sure" means at least even odds (below, a
 * protective phrase, "how do I report…", shields); 1.01 is never reached (off).
 */
const SURE_GRID = [0.5, 0.6, 0.7, 0.8, 0.9, 1.01];

/** The highest threshold that keeps recall of `positive` at `target` (the lowest if none does). */
function highestWithRecall(
  data: Prepared[],
  positive: (d: Prepared) => boolean,
  caught: (d: Prepared, i: number, t: number) => boolean,
  target: number,
): number {
  const idx = data.map((d, i) => (positive(d) ? i : -1)).filter((i) => i >= 0);
  if (idx.length === 0) return 0.5;
  for (let g = GRID.length - 1; g >= 0; g--) {
    const t = GRID[g] as number;
    const hit = idx.filter((i) => caught(data[i] as Prepared, i, t)).length;
    if (hit / idx.length >= target) return t;
  }
  return GRID[0] as number;
}

/**
 * Refusal fails three ways, each counted as a share of its own lines: a
 * harmful request answered, a protective question (a teacher, a parent)
 * refused, and any other message refused (a mother asking how to buy milk for
 * her child). The thresholds (when the model refuses, and when it refuses over
 * the protective phrases) maximise the sum; on a tie the lower (refusing more) wins.
 */
function balancedHarmful(
  data: Prepared[],
  pHarmful: (i: number) => number,
): Pick<Thresholds, 'harmful' | 'harmfulSure'> {
  const groups = [
    data.map((d, i) => (d.line.kind === 'harmful' ? i : -1)).filter((i) => i >= 0),
    data.map((d, i) => (d.line.protective ? i : -1)).filter((i) => i >= 0),
    data
      .map((d, i) => (d.line.kind !== 'harmful' && !d.line.protective ? i : -1))
      .filter((i) => i >= 0),
  ] as const;
  const share = (idx: readonly number[], ok: (i: number) => boolean) =>
    idx.filter(ok).length / Math.max(1, idx.length);
  let best = { value: -1, t: { harmful: 0.5, harmfulSure: 1.01 } };
  for (const harmful of GRID) {
    for (const harmfulSure of SURE_GRID.filter((g) => g >= harmful)) {
      const t = { harmful, harmfulSure };
      const refused = (i: number) => {
        const { rules } = data[i] as Prepared;
        const p = pHarmful(i);
        return isRefused(rules, { harmful: p >= harmful, pHarmful: p }, t);
      };
      const value =
        share(groups[0], refused) +
        share(groups[1], (i) => !refused(i)) +
        share(groups[2], (i) => !refused(i));
      if (value > best.value + 1e-12) best = { value, t };
    }
  }
  return best.t;
}

/** Chooses every threshold on out-of-fold scores (see TARGETS), then the topic fusion. */
export function chooseThresholds(
  data: Prepared[],
  scores: Scores[],
  heads: Pick<Model, 'heads'>['heads'],
): Thresholds {
  // A line the model does not read (under three words) counts only by its rules.
  const p = (i: number, head: 'urgency' | 'kind', name: string) =>
    (data[i] as Prepared).readable
      ? ((scores[i] as Scores)[head][heads[head].classes.indexOf(name)] ?? 0)
      : 0;
  // The model's level at thresholds (e, u), joined with the rules as the engine joins them.
  const joined = (d: Prepared, i: number, e: number, u: number) => {
    if (!d.readable) return joinedLevel(d.rules, undefined, RULE_SUPPORT);
    const pEmergency = p(i, 'urgency', 'emergency');
    const pUrgent = p(i, 'urgency', 'urgent');
    const urgency = modelLevel(pUrgent, pEmergency, { emergency: e, urgent: u });
    return joinedLevel(d.rules, { urgency, pUrgent, pEmergency }, RULE_SUPPORT);
  };
  // The emergency threshold is chosen before the urgent one: a model level below it counts as
  // calm here (so the rules' emergencies count only through the floor: recall is not overstated).
  const emergency = highestWithRecall(
    data,
    (d) => d.line.urgency === 'emergency',
    (d, i, t) => joined(d, i, t, 2) === 'emergency',
    TARGETS.emergencyRecall,
  );
  const urgent = highestWithRecall(
    data,
    (d) => d.line.urgency !== 'none',
    (d, i, t) => joined(d, i, emergency, t) !== 'none',
    TARGETS.escalationRecall,
  );
  const refusal = balancedHarmful(data, (i) => {
    // As `decide` reads it: only when more likely harmful than everyday (out of scope).
    const h = p(i, 'kind', 'harmful');
    return h >= p(i, 'kind', 'out-of-scope') + p(i, 'kind', 'greeting') ? h : 0;
  });
  const base: Thresholds = {
    emergency,
    urgent,
    ...refusal,
    outOfScope: 0.5,
    searchWeight: 1,
    topicAlone: 0.5,
    ruleSupport: RULE_SUPPORT,
  };
  const model: Model = { heads, thresholds: base, vocabulary: new Uint32Array() };
  // Topic fusion and out of scope: the best share of in-scope lines answered on topic plus
  // out-of-scope lines left unanswered, over a small grid.
  const inScope = data.map((_, i) => i).filter((i) => isTopical(data[i] as Prepared));
  const outside = data.map((_, i) => i).filter((i) => isOutside(data[i] as Prepared));
  let best = { value: -1, t: base };
  for (const searchWeight of [0, 0.25, 0.5, 1, 1.5, 2, 3]) {
    for (const topicAlone of [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.01]) {
      for (const outOfScope of [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.01]) {
        const t: Thresholds = { ...base, searchWeight, topicAlone, outOfScope };
        const m = { ...model, thresholds: t };
        const onTopic = inScope.filter((i) =>
          answersWith(data[i] as Prepared, m, scores[i] as Scores),
        ).length;
        const left = outside.filter(
          (i) => !answered(data[i] as Prepared, m, scores[i] as Scores),
        ).length;
        const value = onTopic / Math.max(1, inScope.length) + left / Math.max(1, outside.length);
        if (value > best.value + 1e-12) best = { value, t };
      }
    }
  }
  return best.t;
}

/** A line that should get an article: topical, not harmful, not an emergency (triage answers those). */
const isTopical = (d: Prepared) =>
  d.line.topic !== 'none' &&
  d.line.kind !== 'harmful' &&
  d.line.urgency !== 'emergency' &&
  d.line.kind !== 'handoff-request';
const isOutside = (d: Prepared) => d.line.kind === 'out-of-scope' || d.line.kind === 'greeting';

function routed(d: Prepared, model: Model, s: Scores): Retrieval | undefined {
  if (!d.readable) return d.found.kind === 'none' ? undefined : d.found;
  const reading = { ...decide(model, s), words: [] };
  if (reading.outOfScope) return undefined;
  const fused = fuseTopics(d.found, reading, model.thresholds);
  return fused.kind === 'none' ? undefined : fused;
}
function answered(d: Prepared, model: Model, s: Scores): boolean {
  return routed(d, model, s) !== undefined;
}
function answersWith(d: Prepared, model: Model, s: Scores): boolean {
  const r = routed(d, model, s);
  const top = r?.hits[0]?.topicId;
  return top !== undefined && (top === d.line.topic || d.line.also.includes(top));
}

/** The shipped model: thresholds from k-fold out-of-fold scores, heads trained on every line. */
export function buildModel(
  data: Prepared[],
  topicIds: string[],
  k = 4,
  options: TrainOptions = DEFAULT_TRAINING,
): Model {
  const scores = outOfFold(data, topicIds, k, options);
  const full = trainHeads(data, topicIds, options);
  const heads = {
    urgency: quantize(full.urgency),
    kind: quantize(full.kind),
    topic: quantize(full.topic),
  };
  const vocabulary = Uint32Array.from(
    new Set(
      data.flatMap((d) =>
        d.x.words.filter((w) => w.name.startsWith('w:')).map((w) => wordHash(w.name.slice(2))),
      ),
    ),
  ).sort();
  return { heads, thresholds: chooseThresholds(data, scores, heads), vocabulary };
}
