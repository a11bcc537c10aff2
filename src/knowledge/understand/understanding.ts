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
import type { TeencodeDictionary } from '../../core/text/normalize.js';
import type { Urgency } from '../../core/types.js';
import { FEATURE_BITS, type FeatureVector, messageFeatures } from './features.js';
import { predict, type SoftmaxHead } from './softmax.js';

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
  /** P(out-of-scope) + P(greeting) at or above: no article. */
  outOfScope: z.number(),
  /** How much the search's own ranking counts beside the model's topic probability. */
  searchWeight: z.number(),
  /** The model's topic alone answers (when search found nothing) at or above this probability. */
  topicAlone: z.number(),
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
  corpus: z.object({ lines: z.number(), authors: z.array(z.string()), sha256: z.string() }),
  training: z.record(z.string(), z.unknown()),
});
export type Manifest = z.infer<typeof manifestSchema>;

export interface Model {
  heads: Record<HeadName, SoftmaxHead>;
  thresholds: Thresholds;
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

export interface Understanding {
  read(text: string): Reading;
  thresholds: Thresholds;
}

const MODEL_FILES = { manifest: 'model/understanding.json', weights: 'model/understanding.bin.gz' };

/** The model's weights as stored: every head's int16 weights, one after another. */
export function weightBytes(heads: SoftmaxHead[]): Buffer {
  return Buffer.concat(
    heads.map((h) => Buffer.from(h.weights.buffer, h.weights.byteOffset, h.weights.byteLength)),
  );
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
    throw new ContentError([`${MODEL_FILES.manifest}: built for other features: run npm run train`]);
  }
  const bytes = gunzipSync(readFileSync(join(contentDir, MODEL_FILES.weights)));
  if (sha256(bytes) !== manifest.weightsSha256) {
    throw new ContentError([`${MODEL_FILES.weights}: does not match its manifest: run npm run train`]);
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
  return { heads, thresholds: manifest.thresholds };
}

export const modelFiles = MODEL_FILES;

/** The heads' probabilities for one message, before thresholds. */
export interface Scores {
  urgency: Float64Array;
  kind: Float64Array;
  topic: Float64Array;
}

export function scoreFeatures(model: Pick<Model, 'heads'>, x: FeatureVector): Scores {
  return {
    urgency: predict(model.heads.urgency, x),
    kind: predict(model.heads.kind, x),
    topic: predict(model.heads.topic, x),
  };
}

const at = (head: SoftmaxHead, p: Float64Array, name: string) => p[head.classes.indexOf(name)] ?? 0;

/** Applies the thresholds to the heads' probabilities. */
export function decide(model: Model, s: Scores): Omit<Reading, 'words'> {
  const { heads, thresholds: t } = model;
  const pEmergency = at(heads.urgency, s.urgency, 'emergency');
  const pUrgent = at(heads.urgency, s.urgency, 'urgent');
  const urgency: Urgency =
    pEmergency >= t.emergency ? 'emergency' : pUrgent + pEmergency >= t.urgent ? 'urgent' : 'none';
  let best = 0;
  for (let k = 1; k < s.kind.length; k++) if ((s.kind[k] as number) > (s.kind[best] as number)) best = k;
  const kind = heads.kind.classes[best] as string;
  const pHarmful = at(heads.kind, s.kind, 'harmful');
  const pGreeting = at(heads.kind, s.kind, 'greeting');
  const pOutOfScope = at(heads.kind, s.kind, 'out-of-scope') + pGreeting;
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
    harmful: pHarmful >= t.harmful,
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
  x.names.forEach((name, i) => {
    if (!/^[wbt]:/.test(name)) return;
    const base = (x.ids[i] as number) * c;
    const w = ((head.weights[base + k] as number) - (head.weights[base + none] as number)) * head.scale;
    if (w > 0) weighed.push({ words: name.slice(2).replace(/_/g, ' '), w });
  });
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
    read(text) {
      const x = messageFeatures(text, dict);
      const reading = decide(model, scoreFeatures(model, x));
      return { ...reading, words: explain(model.heads.urgency, x, reading.urgency) };
    },
  };
}
