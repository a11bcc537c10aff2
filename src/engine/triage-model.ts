import type { Urgency } from '../core/types.js';
import type { TriageResult, TriageSignal } from '../handoff/triage.js';
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
 * Triage with the learned model: the higher level wins (the phrase rules are a
 * floor the model never lowers), and the model's reason is added when it raised.
 */
export function withModel(rules: TriageResult, reading: Reading | undefined): TriageResult {
  if (!reading || RANK[reading.urgency] <= RANK[rules.level]) return rules;
  const signal = modelSignal(reading) as TriageSignal;
  return { ...rules, level: reading.urgency, signals: [...rules.signals, signal] };
}
