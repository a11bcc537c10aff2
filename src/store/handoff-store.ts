import type {
  AuditEntry,
  CannedReply,
  Counsellor,
  CounsellorSession,
  Ticket,
  TicketOutcome,
} from '../core/handoff-types.js';
import type { Locale, Urgency } from '../core/types.js';

export interface NewTicket {
  conversationId: string;
  channel: string;
  locale: Locale;
  level: Urgency;
  signals: Ticket['signals'];
  reason: Ticket['reason'];
}

/** Tickets of the counsellor queue. Every state change is one atomic conditional update. */
export interface TicketStore {
  /**
   * Opens a ticket for the conversation, or returns the one already open
   * (raising its level and adding signals): never two open tickets for one conversation.
   */
  openTicket(input: NewTicket): Promise<{ ticket: Ticket; created: boolean }>;
  getTicket(id: string): Promise<Ticket | undefined>;
  openTicketFor(conversationId: string): Promise<Ticket | undefined>;
  /** Tickets not closed (queued and claimed), in no particular order. */
  listOpenTickets(): Promise<Ticket[]>;
  /** True for exactly one of many concurrent claims of a queued ticket. */
  claimTicket(id: string, counsellorId: string): Promise<boolean>;
  /** Back to the queue; only its owner (or `anyOwner`) may return it. */
  releaseTicket(id: string, counsellorId: string, anyOwner?: boolean): Promise<boolean>;
  transferTicket(id: string, fromId: string, toId: string, anyOwner?: boolean): Promise<boolean>;
  closeTicket(
    id: string,
    counsellorId: string,
    outcome: TicketOutcome,
    anyOwner?: boolean,
  ): Promise<boolean>;
  /** Every ticket opened since a moment, any status (for the supervisor's figures). */
  listTicketsOpenedSince(since: Date): Promise<Ticket[]>;
  /** True once per ticket: the first instance to mark it overdue sends the alert. */
  markTicketAlerted(id: string): Promise<boolean>;
  /** The person withdrew while waiting: closes a queued ticket. */
  cancelTicket(id: string): Promise<boolean>;
  /** Raises (never lowers) the level and adds signals. */
  raiseTicket(id: string, level: Urgency, signals: Ticket['signals']): Promise<Ticket | undefined>;
}

export interface CounsellorStore {
  createCounsellor(c: Omit<Counsellor, 'id' | 'createdAt' | 'available'>): Promise<Counsellor>;
  getCounsellor(id: string): Promise<Counsellor | undefined>;
  findCounsellor(username: string): Promise<Counsellor | undefined>;
  listCounsellors(): Promise<Counsellor[]>;
  setAvailability(id: string, available: boolean): Promise<void>;
  /** The languages a counsellor speaks ("help next" prefers tickets in them). */
  setLanguages(id: string, languages: Locale[]): Promise<void>;
  /** Sessions are stored by the hash of their token, never the token itself. */
  createSession(session: CounsellorSession): Promise<void>;
  getSession(tokenHash: string): Promise<CounsellorSession | undefined>;
  deleteSession(tokenHash: string): Promise<void>;
  /** Ends every session of one counsellor ("sign out everywhere", revocation); returns how many. */
  deleteSessionsOf(counsellorId: string): Promise<number>;
  recordAudit(entry: AuditEntry): Promise<void>;
  listCannedReplies(): Promise<CannedReply[]>;
  /** Creates (no id) or replaces a canned reply. */
  saveCannedReply(
    reply: Omit<CannedReply, 'id' | 'updatedAt'> & { id?: string },
  ): Promise<CannedReply>;
  deleteCannedReply(id: string): Promise<boolean>;
  listAudit(filter: { conversationId?: string; counsellorId?: string }): Promise<AuditEntry[]>;
}
