/**
 * How the learned reading joins the phrase rules, safety first, in one place
 * that the engine and the threshold search (train.ts) both use: urgency, a
 * refusal (when either says harmful, unless the rules know it as protective),
 * and the model's topics fused with the search's ranking.
 */
import type { Urgency } from '../../core/types.js';
import type { Retrieval } from '../retrieve.js';
import type { Reading, Thresholds } from './understanding.js';

const RANK: Record<Urgency, number> = { none: 0, urgent: 1, emergency: 2 };
const higher = (a: Urgency, b: Urgency): Urgency => (RANK[a] >= RANK[b] ? a : b);

/** The level of the firm signals alone: what stays when the model reads a message as calm. */
export const floorOf = (signals: readonly { level: Urgency; firm?: true }[]): Urgency =>
  signals.filter((s) => s.firm).reduce<Urgency>((acc, s) => higher(acc, s.level), 'none');

/**
 * The level of a message from the phrase rules (`level`: every signal; `floor`:
 * the firm ones) and the model's reading (undefined when it does not judge it).
 * - The model does not judge it (too short, unknown words, a button, a check's
 *   answer): every rule counts.
 * - The model raises it: the higher of the model and every rule.
 * - The model reads it as calm but not surely so (P(urgent) + P(emergency) at or
 *   above `ruleSupport`): every rule still counts.
 * - The model is sure it is calm: only the firm signals (a suicidal statement, a
 *   cry for help, a threat to kill) raise it. Measured on authors the rules never
 *   saw, the other phrases raised 11% of calm messages (a law question naming a
 *   kept passport, a teacher asking what kidnappers do) and caught almost no
 *   emergency the model missed (README, "Understanding").
 */
export function joinedLevel(
  rules: { level: Urgency; floor: Urgency },
  model: Pick<Reading, 'urgency' | 'pUrgent' | 'pEmergency'> | undefined,
  ruleSupport: number,
): Urgency {
  if (model === undefined) return rules.level;
  if (model.urgency !== 'none' || model.pUrgent + model.pEmergency >= ruleSupport)
    return higher(model.urgency, rules.level);
  return rules.floor;
}

/**
 * Refused when the rules say it asks how to harm, or the model does and either
 * the rules do not read it as protective (a teacher, a parent, "how do people
 * get tricked", "how to recognise a fake contract") or the model is sure
 * (`harmfulSure`): the protective phrases are broad ("là gì", "what is"), and
 * on authors they never saw they shielded one harmful request in ten ("giá một
 * đứa bé là bao nhiêu, là gì cũng được") while the model alone kept almost every
 * protective question answered (README, "Understanding").
 */
export const isRefused = (
  rules: { harmful: boolean; protective: boolean },
  reading: Pick<Reading, 'harmful' | 'pHarmful'> | undefined,
  t: Pick<Thresholds, 'harmfulSure'> | undefined,
) =>
  rules.harmful ||
  (reading?.harmful === true &&
    (!rules.protective || (t !== undefined && reading.pHarmful >= t.harmfulSure)));

/**
 * The search's answer with the model's topics: each candidate scores its
 * model probability plus `searchWeight` times its search score relative to
 * the best. When the search found nothing on topic, the model's best topic
 * answers alone only when it is sure (`topicAlone`).
 */
export function fuseTopics(
  found: Retrieval,
  reading: Reading | undefined,
  t: Thresholds | undefined,
): Retrieval {
  if (!reading || !t) return found;
  const best = found.hits[0]?.score ?? 0;
  const score = new Map<string, number>();
  for (const h of found.hits)
    score.set(h.topicId, best > 0 ? (t.searchWeight * h.score) / best : 0);
  for (const { topicId, p } of reading.topics) score.set(topicId, (score.get(topicId) ?? 0) + p);
  const ranked = [...score.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([topicId]) => topicId);
  const byId = new Map(found.hits.map((h) => [h.topicId, h]));
  // The hits in fused order; a topic only the model found has no search figures.
  const hits = ranked.map(
    (topicId) =>
      byId.get(topicId) ?? {
        topicId,
        score: 0,
        coverage: 0,
        pairs: 0,
        queryWords: 0,
        queryTerms: 0,
      },
  );
  const top = ranked[0] as string;
  if (found.kind === 'none') {
    const sure = (reading.topics[0]?.p ?? 0) >= t.topicAlone && !reading.outOfScope;
    return sure ? { kind: 'answer', topicId: top, hits } : { kind: 'none', hits: found.hits };
  }
  if (
    found.kind === 'clarify' &&
    found.topicIds.includes(top) &&
    found.topicIds.includes(ranked[1] as string)
  ) {
    return { ...found, hits };
  }
  return { kind: 'answer', topicId: top, hits };
}
