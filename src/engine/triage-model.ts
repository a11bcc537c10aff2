import type { Urgency } from '../core/types.js';
import type { TriageResult, TriageSignal } from '../handoff/triage.js';
import { floorOf, joinedLevel } from '../knowledge/understand/combine.js';
import type { Reading } from '../knowledge/understand/understanding.js';

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

/**
 * Triage with the learned model (how the two join: `joinedLevel`). The counsellor
 * sees the phrases that counted, and the model's reason when it raised the level.
 */
export function withModel(
  rules: TriageResult,
  reading: Reading | undefined,
  ruleSupport: number,
): TriageResult {
  if (!reading) return rules;
  const floor = floorOf(rules.signals);
  const level = joinedLevel({ level: rules.level, floor }, reading, ruleSupport);
  const counted = level === floor ? rules.signals.filter((s) => s.firm) : rules.signals;
  const signal = RANK[reading.urgency] > RANK[rules.level] ? modelSignal(reading) : undefined;
  return { ...rules, level, signals: signal ? [...counted, signal] : counted };
}
