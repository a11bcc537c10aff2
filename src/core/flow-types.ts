/**
 * Guided self-help checks, written as data in content/flows/ and run by one
 * interpreter in src/flows/. A flow is a set of steps; each step says
 * something and either asks a question (choices or free text) or shows a result.
 */
import type { Choice, Locale, Reply } from './types.js';

export interface FlowChoice {
  label: string;
  value: string;
  /** Points towards risk (job offer) or indicators present (exploitation). */
  score?: number;
  /** Why this answer matters, shown in the result when it was chosen. */
  reason?: string;
}

export interface FlowStep {
  id: string;
  say: string;
  /** `choice`: buttons (typed answers understood); `text`: free text; `end`: a result. */
  kind: 'choice' | 'text' | 'end';
  choices?: FlowChoice[];
  /** For text steps: what the text is used for. */
  tool?: 'job-ad' | 'company' | 'province';
  /** Skip this question when the job-ad analysis already found this sign. */
  skipIfSign?: string;
  /** The step to go to next (end steps have none). */
  next?: string;
  /** For end steps: how to judge the collected score. */
  result?: 'job-risk' | 'exploitation' | 'company' | 'directory';
}

export interface FlowDefinition {
  id: string;
  locale: Locale;
  title: string;
  start: string;
  steps: Record<string, FlowStep>;
  /** Thresholds: total score at or above `high` is high risk, at or above `medium` medium. */
  thresholds?: { medium: number; high: number };
  /** Results' wording and follow-ups. */
  texts: Record<string, string>;
  /** Buttons shown after the result. */
  next: Choice[];
  /** Topics whose answers offer this check as a next step. */
  offer_after: string[];
  file: string;
}

/** A running flow, stored in the conversation's context. */
export interface FlowState {
  id: string;
  step: string;
  score: number;
  reasons: string[];
  /** Warning signs found in a pasted ad, with the words that triggered them. */
  signs: { id: string; label: string; words: string }[];
  answers: Record<string, string>;
}

export interface FlowOutput {
  state?: FlowState;
  replies: Reply[];
  /** Set when the result asks for a counsellor at this level. */
  escalate?: 'urgent';
  /** The input did not fit the step (the engine may answer it as a question instead). */
  unmatched?: boolean;
}
