/**
 * How the learned reading joins the phrase rules, safety first, in one place
 * that the engine and the threshold search (src/cli/train.ts) both use:
 * urgency is the higher of the two, a request is refused when either says
 * harmful, and the model's topics are fused with the search's ranking.
 */
import type { Urgency } from '../../core/types.js';
import type { TriageResult, TriageSignal } from '../../handoff/triage.js';
import type { Retrieval } from '../retrieve.js';
import type { Reading, Thresholds } from './understanding.js';

const RANK: Record<Urgency, number> = { none: 0, urgent: 1, emergency: 2 };

/** The signal a counsellor sees when the model, not a phrase, raised the chat. */
export function modelSignal(reading: Reading): TriageSignal | undefined {
  if (reading.urgency === 'none') return undefined;
  const level = reading.urgency;
  const label =
    level === 'emergency'
      ? 'Mô hình: có thể đang gặp nguy hiểm ngay — model: may be in danger now'
      : 'Mô hình: có thể cần tư vấn viên sớm — model: may need a counsellor soon';
  return { id: 'model', level, label, words: reading.words.join(', ') || '—' };
}

/** Triage with the model: the higher level wins, and the model's reason is added when it raised. */
export function withModel(rules: TriageResult, reading: Reading | undefined): TriageResult {
  if (!reading || RANK[reading.urgency] <= RANK[rules.level]) return rules;
  const signal = modelSignal(reading) as TriageSignal;
  return { ...rules, level: reading.urgency, signals: [...rules.signals, signal] };
}

/** Refused when the rules or the model say it asks how to harm. */
export const isRefused = (rulesHarmful: boolean, reading: Reading | undefined) =>
  rulesHarmful || reading?.harmful === true;

/**
 * The search's answer with the model's topics: each candidate scores its
 * model probability plus `searchWeight` times its search score relative to
 * the best. When the search found nothing on topic, the model's best topic
 * answers alone only when it is sure (`topicAlone`).
 */
export function fuseTopics(found: Retrieval, reading: Reading | undefined, t: Thresholds | undefined): Retrieval {
  if (!reading || !t) return found;
  const best = found.hits[0]?.score ?? 0;
  const score = new Map<string, number>();
  for (const h of found.hits) score.set(h.topicId, best > 0 ? (t.searchWeight * h.score) / best : 0);
  for (const { topicId, p } of reading.topics) score.set(topicId, (score.get(topicId) ?? 0) + p);
  const ranked = [...score.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([topicId]) => topicId);
  const byId = new Map(found.hits.map((h) => [h.topicId, h]));
  // The hits in fused order; a topic only the model found has no search figures.
  const hits = ranked.map(
    (topicId) =>
      byId.get(topicId) ?? { topicId, score: 0, coverage: 0, pairs: 0, queryWords: 0, queryTerms: 0 },
  );
  const top = ranked[0] as string;
  if (found.kind === 'none') {
    const sure = (reading.topics[0]?.p ?? 0) >= t.topicAlone && !reading.outOfScope;
    return sure ? { kind: 'answer', topicId: top, hits } : { kind: 'none', hits: found.hits };
  }
  if (found.kind === 'clarify' && found.topicIds.includes(top) && found.topicIds.includes(ranked[1] as string)) {
    return { ...found, hits };
  }
  return { kind: 'answer', topicId: top, hits };
}
