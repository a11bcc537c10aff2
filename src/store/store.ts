import type { ReportEvent, ReportField, ReportQuery } from '../core/report-types.js';
import type {
  Conversation,
  ConversationContext,
  ConversationState,
  Direction,
  Locale,
  Reply,
  StoredMessage,
  Urgency,
} from '../core/types.js';
import type { CounsellorStore, TicketStore } from './handoff-store.js';

/** Fields of a conversation that a turn may change. */
export interface ConversationPatch {
  locale?: Locale;
  state?: ConversationState;
  urgency?: Urgency;
  context?: ConversationContext;
}

export interface NewMessage {
  conversationId: string;
  direction: Direction;
  text: string;
  reply?: Reply;
  choice?: string;
  createdAt?: Date;
}

/** An unanswered question as kept for the review list: no ids, personal data removed. */
export interface KnowledgeGap {
  at: Date;
  locale: Locale;
  channel: string;
  text: string;
}

/** A message waiting to go out through a platform, or what became of it. */
export interface OutboxItem {
  /** Stable across retries: the platform's idempotency key where it has one (LINE retry key). */
  id: string;
  channel: string;
  conversationId: string;
  userId: string;
  /** Order within one enqueue (one turn's replies). */
  seq: number;
  /** The platform message, already rendered. Sealed at rest; a sent item is deleted. */
  payload: unknown;
  /** What the channel needs beyond the payload (a counsellor wrote it, a reply token). */
  meta: Record<string, unknown>;
  status: 'pending' | 'sent' | 'failed' | 'expired';
  attempts: number;
  nextAttemptAt: Date;
  expiresAt: Date;
  createdAt: Date;
  /** The last error in our words (never message text). */
  error?: string;
}

export type NewOutboxItem = Omit<OutboxItem, 'status' | 'attempts' | 'nextAttemptAt' | 'error'>;

/** A verified platform event, kept from its acknowledgement until its turn is done. */
export interface InboxEntry {
  id: string;
  channel: string;
  /** The parsed event (sealed at rest). */
  event: unknown;
  receivedAt: Date;
}

/**
 * The inbox: a webhook is acknowledged only once its events are stored here,
 * so a crash between the platform's 200 and the turn loses nothing.
 */
export interface InboxStore {
  /** Stores entries; an id already there is left as it is (a redelivery). */
  putInbox(entries: InboxEntry[]): Promise<void>;
  /** Entries received before `before`, oldest first (left by a process that stopped). */
  listInbox(before: Date, limit: number): Promise<InboxEntry[]>;
  deleteInbox(id: string): Promise<void>;
}

/**
 * What finishing an inbound event's turn settles, stored with its replies in one
 * step: the platform message id marked processed and the inbox entry gone.
 */
export interface TurnDone {
  processed?: { channel: string; messageId: string };
  inboxId?: string;
}

/** The outbox: every platform message is stored before it is sent, so a restart loses nothing. */
export interface OutboxStore {
  /**
   * Stores new items; an id that already exists is left as it is (a redelivered turn).
   * With `done`, the turn that made them is settled in the same step (one transaction on
   * SQLite; on MongoDB items first, then the mark, then the inbox entry), so a crash leaves
   * either a turn to run again or replies queued, never a message marked but unanswered.
   */
  enqueueOutbox(items: NewOutboxItem[], done?: TurnDone): Promise<void>;
  /** Pending items, oldest first (by creation, then seq), at most `limit`; of one conversation when given. */
  pendingOutbox(limit: number, conversationId?: string): Promise<OutboxItem[]>;
  /** Conversations with a pending item due by `now` (ids only: nothing is unsealed). */
  dueOutbox(now: Date, limit: number): Promise<string[]>;
  /** Another attempt later. */
  retryOutbox(id: string, attempts: number, nextAttemptAt: Date, error: string): Promise<void>;
  /** The end of an item: sent (then deleted), failed for good, or expired unsent. */
  settleOutbox(id: string, status: 'sent' | 'failed' | 'expired', error?: string): Promise<void>;
  /** Items of a conversation that could not be delivered, newest first (shown to the counsellor). */
  undelivered(conversationId: string): Promise<OutboxItem[]>;
}

/**
 * The persistence port. Every adapter (SQLite now, MongoDB later) passes the
 * same contract suite in `test/contracts/store-contract.ts`. Methods are async
 * so that a networked store fits the same shape.
 */
export interface Store extends TicketStore, CounsellorStore, OutboxStore, InboxStore {
  /** Finds the conversation of this person on this channel, creating it if new. */
  openConversation(channel: string, userId: string, locale: Locale): Promise<Conversation>;
  /** The conversation of this person on this channel, if there is one. */
  findConversation(channel: string, userId: string): Promise<Conversation | undefined>;
  getConversation(id: string): Promise<Conversation | undefined>;
  updateConversation(id: string, patch: ConversationPatch): Promise<Conversation>;
  /** Deletes a conversation and its transcript (the person's right to erase). */
  deleteConversation(id: string): Promise<void>;
  /** Keeps (or stops keeping) a conversation past the retention period: a counsellor's follow-up. */
  setFollowUp(id: string, keep: boolean): Promise<void>;
  /**
   * Retention: deletes conversations (with transcripts and tickets) not active
   * since `before`, except those kept for follow-up. Returns how many.
   */
  purgeIdleConversations(before: Date): Promise<number>;

  appendMessage(message: NewMessage): Promise<StoredMessage>;
  /** The transcript, oldest first; `limit` keeps the newest ones. */
  listMessages(conversationId: string, limit?: number): Promise<StoredMessage[]>;

  /**
   * Records a platform message id. Returns true the first time, false for a
   * redelivery: atomic, so two overlapping deliveries cannot both get true.
   */
  markProcessed(channel: string, messageId: string): Promise<boolean>;
  /** Whether a platform message id was marked processed (a turn checks before it runs). */
  isProcessed(channel: string, messageId: string): Promise<boolean>;

  /**
   * A lease that only one holder (process or instance) has at a time: turns of
   * one conversation, scheduled jobs. Returns a token when acquired; an
   * expired lease may be taken over, so a crashed holder blocks nobody for long.
   */
  acquireLock(key: string, ttlMs: number): Promise<string | undefined>;
  releaseLock(key: string, token: string): Promise<void>;

  /** Anonymous figures for reports (no text, no ids); they outlive deleted transcripts. */
  recordEvent(event: ReportEvent): Promise<void>;
  /** Counts of events by one field, in a period. */
  countEvents(query: ReportQuery, field: ReportField): Promise<{ key: string; count: number }[]>;
  /**
   * Counts of events by every field at once, keyed by field: one query, so a
   * whole report stays fast on servers that scan rather than use indexes.
   */
  countAllEvents(query: ReportQuery): Promise<Record<string, { key: string; count: number }[]>>;
  /** The wait times of closed tickets in a period, for percentiles. */
  waitTimes(query: ReportQuery): Promise<number[]>;

  /**
   * A question the bot could not answer (personal data already removed), for
   * the content editors' review list; sealed at rest, purged with retention.
   */
  recordGap(gap: KnowledgeGap): Promise<void>;
  /** Unanswered questions in a period, oldest first. */
  listGaps(from: Date, to: Date): Promise<KnowledgeGap[]>;

  /** A named data set an administrator imported (for example the licensed companies list). */
  /** Stores a named value; `sealed` encrypts it at rest like message text (channel tokens). */
  putDataset(name: string, value: unknown, options?: { sealed?: boolean }): Promise<void>;
  getDataset(name: string): Promise<{ value: unknown; updatedAt: Date } | undefined>;

  /** Cheap round trip for the readiness probe. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
