/**
 * A multinomial logistic regression over hashed sparse features: one weight
 * per (bucket, class). Trained with AdaGrad by `trainSoftmax`, deterministic
 * for a given corpus order and seed (a seeded shuffle, no threads, and our own
 * `exp`, so that the artifact is byte-identical on any machine and Node version).
 */
import { FEATURE_BITS, type FeatureVector } from './features.js';

export interface SoftmaxHead {
  classes: string[];
  /** Weights, bucket-major: weights[bucket * classes.length + class], times `scale`. */
  weights: Float32Array | Int16Array;
  /** What one unit of `weights` is worth (1 while training, the quantum once stored as int16). */
  scale: number;
}

export interface TrainOptions {
  epochs: number;
  learningRate: number;
  /** L2 shrink applied to the weights a step touches. */
  l2: number;
  seed: number;
}

export const DEFAULT_TRAINING: TrainOptions = { epochs: 6, learningRate: 0.3, l2: 1e-4, seed: 17 };

const BUCKETS = 1 << FEATURE_BITS;

/**
 * e^x from IEEE arithmetic only (range reduction to [-ln2/2, ln2/2] and a
 * degree-11 Taylor polynomial): Math.exp may differ in the last bit between
 * engines, which would change a committed model's bytes.
 */
export function exp(x: number): number {
  if (x < -700) return 0;
  if (x > 700) return Number.MAX_VALUE;
  const k = Math.round(x / Math.LN2);
  const r = x - k * Math.LN2;
  let term = 1;
  let sum = 1;
  for (let i = 1; i <= 11; i++) {
    term = (term * r) / i;
    sum += term;
  }
  return sum * 2 ** k;
}

/**
 * Adds one message's weighted rows into `sums`: row `id` of `weights` is
 * `sums.length` wide (one head's classes, or every head's side by side).
 */
export function addRows(
  weights: ArrayLike<number>,
  x: FeatureVector,
  sums: Float64Array,
): Float64Array {
  const c = sums.length;
  for (let i = 0; i < x.ids.length; i++) {
    const base = (x.ids[i] as number) * c;
    const v = x.values[i] as number;
    for (let k = 0; k < c; k++) sums[k] = (sums[k] as number) + v * (weights[base + k] as number);
  }
  return sums;
}

/** Class probabilities for one message. */
export function predict(head: SoftmaxHead, x: FeatureVector): Float64Array {
  const c = head.classes.length;
  const scores = addRows(head.weights, x, new Float64Array(c));
  if (head.scale !== 1) for (let k = 0; k < c; k++) scores[k] = (scores[k] as number) * head.scale;
  return softmax(scores);
}

/** Turns scores into probabilities, in place. */
export function softmax(scores: Float64Array): Float64Array {
  let max = Number.NEGATIVE_INFINITY;
  for (const s of scores) if (s > max) max = s;
  let total = 0;
  for (let k = 0; k < scores.length; k++) {
    const e = exp((scores[k] as number) - max);
    scores[k] = e;
    total += e;
  }
  for (let k = 0; k < scores.length; k++) scores[k] = (scores[k] as number) / total;
  return scores;
}

/** A small seeded generator (mulberry32) for the shuffle. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Trains one head. `weightOf` lets rare classes count more (an emergency
 * missed costs more than a false alarm). Examples with a label outside
 * `classes` are skipped.
 */
export function trainSoftmax(
  classes: string[],
  examples: { x: FeatureVector; label: string; weight?: number }[],
  options: TrainOptions = DEFAULT_TRAINING,
): SoftmaxHead {
  const c = classes.length;
  const index = new Map(classes.map((k, i) => [k, i]));
  const data = examples.flatMap((e) => {
    const y = index.get(e.label);
    return y === undefined ? [] : [{ x: e.x, y, w: e.weight ?? 1 }];
  });
  const w = new Float64Array(BUCKETS * c);
  // AdaGrad with one accumulator per bucket (shared by its classes): one square root per
  // feature and step instead of one per class, at no cost we could measure.
  const g2 = new Float64Array(BUCKETS);
  const order = data.map((_, i) => i);
  const next = random(options.seed);
  const scores = new Float64Array(c);
  const delta = new Float64Array(c);
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [order[i], order[j]] = [order[j] as number, order[i] as number];
    }
    for (const n of order) {
      const { x, y, w: weight } = data[n] as (typeof data)[number];
      scores.fill(0);
      softmax(addRows(w, x, scores));
      let norm = 0;
      for (let k = 0; k < c; k++) {
        const d = weight * ((scores[k] as number) - (k === y ? 1 : 0));
        delta[k] = d;
        norm += d * d;
      }
      for (let i = 0; i < x.ids.length; i++) {
        const bucket = x.ids[i] as number;
        const base = bucket * c;
        const v = x.values[i] as number;
        g2[bucket] = (g2[bucket] as number) + v * v * norm;
        const rate = options.learningRate / Math.sqrt((g2[bucket] as number) + 1e-8);
        for (let k = 0; k < c; k++) {
          const at = base + k;
          w[at] =
            (w[at] as number) - rate * (v * (delta[k] as number) + options.l2 * (w[at] as number));
        }
      }
    }
  }
  return { classes, weights: Float32Array.from(w), scale: 1 };
}

/** The head stored as int16 (half the size of float32; the rounding moves no decision we measured). */
export function quantize(head: SoftmaxHead): SoftmaxHead {
  let max = 0;
  for (const w of head.weights) max = Math.max(max, Math.abs(w * head.scale));
  const scale = max === 0 ? 1 : max / 32767;
  const weights = new Int16Array(head.weights.length);
  for (let i = 0; i < weights.length; i++)
    weights[i] = Math.round(((head.weights[i] as number) * head.scale) / scale);
  return { classes: head.classes, weights, scale };
}
