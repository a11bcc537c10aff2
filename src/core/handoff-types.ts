/**
 * The counsellor side of the vocabulary: tickets in the queue, counsellors,
 * their sessions, and the audit trail of who read what.
 */
import type { Locale, Urgency } from './types.js';

export type TicketStatus = 'queued' | 'claimed' | 'closed';

/** How the hotline reports its work (information, counselling, referral). */
export type OutcomeKind = 'information' | 'counselling' | 'referral';
export type OutcomeDetail = 'psychological' | 'policy' | 'services' | 'rescue' | 'support' | 'none';

export interface TicketOutcome {
  kind: OutcomeKind;
  detail: OutcomeDetail;
  /** The agency referred to (police, border guard, Women's Union, shelter...). */
  agency?: string;
  notes?: string;
  /** Optional, self-reported by the caller: how the hotline reports who got in touch. */
  profile?: {
    callerType?: 'self' | 'relative-or-friend' | 'other';
    gender?: 'female' | 'male' | 'other';
    province?: string;
  };
}

export interface Ticket {
  id: string;
  conversationId: string;
  channel: string;
  locale: Locale;
  /** Priority: emergency first, then urgent, then none. */
  level: Urgency;
  /** Why it was raised, for the queue row and the handover summary. */
  signals: { id: string; level: Urgency; label: string; words: string }[];
  /** Why it was opened: triage, the person asked, or an accepted offer. */
  reason: 'emergency' | 'asked' | 'urgent-offer';
  status: TicketStatus;
  ownerId?: string;
  openedAt: Date;
  claimedAt?: Date;
  closedAt?: Date;
  outcome?: TicketOutcome;
}

export type Role = 'counsellor' | 'supervisor' | 'admin';

export interface Counsellor {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  /** scrypt hash with its parameters and salt. */
  passwordHash: string;
  languages: Locale[];
  available: boolean;
  createdAt: Date;
}

export interface CounsellorSession {
  token: string;
  counsellorId: string;
  expiresAt: Date;
}

/** A reply counsellors insert with one click; supervisors edit them. */
export interface CannedReply {
  id: string;
  locale: string;
  title: string;
  text: string;
  updatedBy: string;
  updatedAt: Date;
}

export interface AuditEntry {
  at: Date;
  counsellorId: string;
  action: string;
  ticketId?: string;
  conversationId?: string;
}
