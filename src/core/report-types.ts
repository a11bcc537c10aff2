/**
 * Figures the hotline publishes, kept as anonymous events that survive the
 * deletion of transcripts: no text, no user id, only categories.
 */
export interface ReportEvent {
  at: Date;
  channel: string;
  /** `turn`: one message answered; `ticket`: a counsellor closed a case. */
  kind: 'turn' | 'ticket';
  intent?: string;
  topic?: string;
  urgency?: string;
  locale?: string;
  outcome?: string;
  detail?: string;
  agency?: string;
  callerType?: string;
  gender?: string;
  province?: string;
  region?: string;
  waitSeconds?: number;
}

/** Fields a report may group by. */
export const REPORT_FIELDS = [
  'intent',
  'topic',
  'urgency',
  'locale',
  'outcome',
  'detail',
  'agency',
  'callerType',
  'gender',
  'province',
  'region',
] as const;
export type ReportField = (typeof REPORT_FIELDS)[number];

export interface ReportQuery {
  from: Date;
  to: Date;
  kind: ReportEvent['kind'];
  channel?: string;
}

/** The regions the hotline reports by (people abroad are counted by their channel and province). */
export const REGIONS = [
  'northern-mountains',
  'red-river-delta',
  'north-central',
  'south-central-coast',
  'central-highlands',
  'south-east',
  'mekong-delta',
] as const;

/** One unanswered question as the editors' review list reads it (personal data already removed). */
export interface GapEntry {
  at: Date;
  locale: string;
  text: string;
}

/** Questions that say the same thing, counted together. */
export interface GapGroup {
  count: number;
  /** The words the group shares (folded), for a glance at what it is about. */
  terms: string[];
  /** Up to three different ways people asked it. */
  examples: string[];
  locales: string[];
  firstSeen: Date;
  lastSeen: Date;
}
