/**
 * The learned reading of a message: urgency, kind (harmful, out of scope,
 * greeting...) and topic, from linear heads trained on `content/corpus/` by
 * `npm run train`. It only ever adds to the phrase rules: the engine raises
 * urgency to the higher of the two and refuses when either says harmful.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { z } from 'zod';
import { ContentError } from '../../core/errors.js';
import { primarySequence, type TeencodeDictionary } from '../../core/text/normalize.js';
import type { Urgency } from '../../core/types.js';
import { STOPWORDS } from '../stopwords.js';
import { FEATURE_BITS, type FeatureVector, featuresOf, wordHash } from './features.js';
import { addRows, predict, type SoftmaxHead, softmax } from './softmax.js';

export const HEAD_NAMES = ['urgency', 'kind', 'topic'] as const;
export type HeadName = (typeof HEAD_NAMES)[number];

/** Decision thresholds, chosen on authors the scored model never saw (see src/cli/train.ts). */
export const thresholdsSchema = z.object({
  /** P(emergency) at or above: emergency. */
  emergency: z.number(),
  /** P(urgent) + P(emergency) at or above: urgent. */
  urgent: z.number(),
  /** P(harmful) at or above: refused. */
  harmful: z.number(),
  /**
   * P(harmful) at or above which the model refuses even where a protective phrase matches
   * ("là gì", "what is", "nhận biết": a teacher's words, and also "what is the price of a baby").
   */
  harmfulSure: z.number(),
  /** P(out-of-scope) + P(greeting) at or above: no article. */
  outOfScope: z.number(),
  /** How much the search's own ranking counts beside the model's topic probability. */
  searchWeight: z.number(),
  /** The model's topic alone answers (when search found nothing) at or above this probability. */
  topicAlone: z.number(),
  /**
   * P(urgent) + P(emergency) at or above which a phrase rule raises a message the model
   * reads as calm (see joinedLevel; a firm signal raises it whatever the model reads).
   */
  ruleSupport: z.number(),
});
export type Thresholds = z.infer<typeof thresholdsSchema>;

export const manifestSchema = z.object({
  format: z.literal(1),
  featureBits: z.number(),
  heads: z.array(
    z.object({ name: z.enum(HEAD_NAMES), classes: z.array(z.string()), scale: z.number() }),
  ),
  thresholds: thresholdsSchema,
  /** SHA-256 of the uncompressed weights: what CI compares with a fresh `npm run train`. */
  weightsSha256: z.string(),
  /** Words seen in training, stored after the weights (sorted 32-bit hashes). */
  vocabulary: z.number(),
  corpus: z.object({ lines: z.number(), authors: z.array(z.string()), sha256: z.string() }),
  training: z.record(z.string(), z.unknown()),
});
export type Manifest = z.infer<typeof manifestSchema>;

export interface Model {
  heads: Record<HeadName, SoftmaxHead>;
  thresholds: Thresholds;
  /** The words of the training corpus (sorted `wordHash`es): what the model can judge. */
  vocabulary: Uint32Array;
  /** The heads laid out for scoring (a loaded model has it; training scores head by head). */
  packed?: Packed;
}

/** What the model read in one message. */
export interface Reading {
  urgency: Urgency;
  /** P(urgent), P(emergency). */
  pUrgent: number;
  pEmergency: number;
  kind: string;
  pHarmful: number;
  pOutOfScope: number;
  greeting: boolean;
  harmful: boolean;
  outOfScope: boolean;
  /** Topics by probability, best first (the five best). */
  topics: { topicId: string; p: number }[];
  /** The words that weighed most toward the urgency it gave (empty at `none`). */
  words: string[];
}

/**
 * Whether the model has enough to judge: three words or more, at least half of
 * them words it was trained on. On "thoát", "ok", one long string, a company
 * name or a language it never saw, the heads give little more than their
 * priors, and an emergency threshold set for recall sits below them; the
 * phrase rules still screen every such message.
 */
export function modelReads(
  text: string,
  dict: TeencodeDictionary,
  vocabulary?: Uint32Array,
): boolean {
  return readsWords(primarySequence(text, dict), vocabulary);
}

function readsWords(seq: readonly string[], vocabulary?: Uint32Array): boolean {
  if (seq.length < 3) return false;
  if (!vocabulary) return true;
  const known = seq.filter((w) => has(vocabulary, wordHash(w))).length;
  return known * 2 >= seq.length;
}

function has(sorted: Uint32Array, v: number): boolean {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const x = sorted[mid] as number;
    if (x === v) return true;
    if (x < v) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

export interface Understanding {
  /** Whether the model judges this message at all (see modelReads). */
  reads(text: string): boolean;
  read(text: string): Reading;
  /** `read` when it `reads`, with the words read once (what the engine calls on every message). */
  readIfAble(text: string): Reading | undefined;
  thresholds: Thresholds;
}

const MODEL_FILES = { manifest: 'model/understanding.json', weights: 'model/understanding.bin.gz' };

/** The model as stored: every head's int16 weights, one after another, then the vocabulary. */
export function weightBytes(heads: SoftmaxHead[], vocabulary: Uint32Array): Buffer {
  return Buffer.concat([
    ...heads.map((h) => Buffer.from(h.weights.buffer, h.weights.byteOffset, h.weights.byteLength)),
    Buffer.from(vocabulary.buffer, vocabulary.byteOffset, vocabulary.byteLength),
  ]);
}
export const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

/** Loads the committed model, or undefined when the content has none (a test fixture, a new locale). */
export function loadModel(contentDir: string): Model | undefined {
  const manifestFile = join(contentDir, MODEL_FILES.manifest);
  if (!existsSync(manifestFile)) return undefined;
  const parsed = manifestSchema.safeParse(JSON.parse(readFileSync(manifestFile, 'utf8')));
  if (!parsed.success) {
    throw new ContentError(
      parsed.error.issues.map((i) => `${MODEL_FILES.manifest}: "${i.path.join('.')}" ${i.message}`),
    );
  }
  const manifest = parsed.data;
  if (manifest.featureBits !== FEATURE_BITS) {
    throw new ContentError([
      `${MODEL_FILES.manifest}: built for other features: run npm run train`,
    ]);
  }
  const bytes = gunzipSync(readFileSync(join(contentDir, MODEL_FILES.weights)));
  if (sha256(bytes) !== manifest.weightsSha256) {
    throw new ContentError([
      `${MODEL_FILES.weights}: does not match its manifest: run npm run train`,
    ]);
  }
  const buckets = 1 << FEATURE_BITS;
  const all = new Int16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 2);
  let at = 0;
  const heads = {} as Record<HeadName, SoftmaxHead>;
  for (const h of manifest.heads) {
    const length = buckets * h.classes.length;
    heads[h.name] = { classes: h.classes, scale: h.scale, weights: all.subarray(at, at + length) };
    at += length;
  }
  const words = new Uint32Array(manifest.vocabulary);
  Buffer.from(words.buffer).set(bytes.subarray(at * 2, at * 2 + manifest.vocabulary * 4));
  return { heads, thresholds: manifest.thresholds, vocabulary: words, packed: pack(heads) };
}

export const modelFiles = MODEL_FILES;

/** The heads' probabilities for one message, before thresholds. */
export interface Scores {
  urgency: Float64Array;
  kind: Float64Array;
  topic: Float64Array;
}

export function scoreFeatures(model: Pick<Model, 'heads' | 'packed'>, x: FeatureVector): Scores {
  if (model.packed) return scorePacked(model.packed, x);
  return {
    urgency: predict(model.heads.urgency, x),
    kind: predict(model.heads.kind, x),
    topic: predict(model.heads.topic, x),
  };
}

/**
 * The three heads side by side, bucket by bucket: one message touches each of
 * its few hundred buckets once, in one or two cache lines, instead of three
 * places in 24 MB (scoring was bound by those cache misses: 110 µs → 40 µs).
 */
export interface Packed {
  weights: Int16Array;
  /** Classes per head, in HEAD_NAMES order, and each head's scale. */
  widths: number[];
  scales: number[];
}

function pack(heads: Record<HeadName, SoftmaxHead>): Packed {
  const list = HEAD_NAMES.map((n) => heads[n]);
  const widths = list.map((h) => h.classes.length);
  const width = widths.reduce((a, b) => a + b, 0);
  const buckets = 1 << FEATURE_BITS;
  const weights = new Int16Array(buckets * width);
  for (let b = 0; b < buckets; b++) {
    let at = b * width;
    for (const h of list) {
      const c = h.classes.length;
      for (let k = 0; k < c; k++) weights[at++] = h.weights[b * c + k] as number;
    }
  }
  return { weights, widths, scales: list.map((h) => h.scale) };
}

function scorePacked(p: Packed, x: FeatureVector): Scores {
  const width = p.widths.reduce((a, b) => a + b, 0);
  const sums = addRows(p.weights, x, new Float64Array(width));
  const out: Float64Array[] = [];
  let from = 0;
  p.widths.forEach((c, h) => {
    const scores = sums.slice(from, from + c);
    for (let k = 0; k < c; k++) scores[k] = (scores[k] as number) * (p.scales[h] as number);
    out.push(softmax(scores));
    from += c;
  });
  return {
    urgency: out[0] as Float64Array,
    kind: out[1] as Float64Array,
    topic: out[2] as Float64Array,
  };
}

const at = (head: SoftmaxHead, p: Float64Array, name: string) => p[head.classes.indexOf(name)] ?? 0;

/** The model's level from its urgency head (one place for the engine and the threshold search). */
export function modelLevel(
  pUrgent: number,
  pEmergency: number,
  t: Pick<Thresholds, 'emergency' | 'urgent'>,
): Urgency {
  if (pEmergency >= t.emergency) return 'emergency';
  return pUrgent + pEmergency >= t.urgent ? 'urgent' : 'none';
}

/** Applies the thresholds to the heads' probabilities. */
export function decide(model: Model, s: Scores): Omit<Reading, 'words'> {
  const { heads, thresholds: t } = model;
  const pEmergency = at(heads.urgency, s.urgency, 'emergency');
  const pUrgent = at(heads.urgency, s.urgency, 'urgent');
  let best = 0;
  for (let k = 1; k < s.kind.length; k++)
    if ((s.kind[k] as number) > (s.kind[best] as number)) best = k;
  const kind = heads.kind.classes[best] as string;
  const pHarmful = at(heads.kind, s.kind, 'harmful');
  const pGreeting = at(heads.kind, s.kind, 'greeting');
  const pOutOfScope = at(heads.kind, s.kind, 'out-of-scope') + pGreeting;
  const urgency = modelLevel(pUrgent, pEmergency, t);
  const topics = heads.topic.classes
    .map((topicId, k) => ({ topicId, p: s.topic[k] as number }))
    .sort((a, b) => b.p - a.p || (a.topicId < b.topicId ? -1 : 1))
    .slice(0, 5);
  return {
    urgency,
    pUrgent,
    pEmergency,
    kind,
    pHarmful,
    pOutOfScope,
    // Refused only when more likely a harmful request than an everyday one: "chỉ mình cách
    // mua sữa cho con" shares the harmful requests' words, but reads as everyday first.
    harmful: pHarmful >= t.harmful && pHarmful >= pOutOfScope,
    outOfScope: pOutOfScope >= t.outOfScope,
    greeting: pOutOfScope >= t.outOfScope && pGreeting > pOutOfScope - pGreeting,
    topics,
  };
}

/**
 * The words behind an urgency: the word, pair and triple features whose
 * weights push most toward that level over `none` (character n-grams weigh
 * too, but a counsellor cannot read them).
 */
function explain(head: SoftmaxHead, x: FeatureVector, level: Urgency): string[] {
  if (level === 'none') return [];
  const c = head.classes.length;
  const k = head.classes.indexOf(level);
  const none = head.classes.indexOf('none');
  const weighed: { words: string; w: number }[] = [];
  for (const { name, id } of x.words) {
    // A lone "họ" or "rồi" tells a counsellor nothing; pairs and content words do.
    if (name.startsWith('w:') && STOPWORDS.has(name.slice(2))) continue;
    const base = id * c;
    const w =
      ((head.weights[base + k] as number) - (head.weights[base + none] as number)) * head.scale;
    if (w > 0) weighed.push({ words: name.slice(2).replace(/_/g, ' '), w });
  }
  weighed.sort((a, b) => b.w - a.w || (a.words < b.words ? -1 : 1));
  const out: string[] = [];
  for (const { words } of weighed) {
    // A pair already shown covers its single words, and the other way round.
    if (out.some((o) => o.includes(words) || words.includes(o))) continue;
    out.push(words);
    if (out.length === 3) break;
  }
  return out;
}

export function createUnderstanding(model: Model, dict: TeencodeDictionary): Understanding {
  return {
    thresholds: model.thresholds,
    reads: (text) => modelReads(text, dict, model.vocabulary),
    read: (text) => readWords(primarySequence(text, dict)),
    readIfAble(text) {
      const seq = primarySequence(text, dict);
      return readsWords(seq, model.vocabulary) ? readWords(seq) : undefined;
    },
  };

  function readWords(seq: readonly string[]): Reading {
    const x = featuresOf(seq);
    const reading = decide(model, scoreFeatures(model, x));
    return { ...reading, words: explain(model.heads.urgency, x, reading.urgency) };
  }
}
