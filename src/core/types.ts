import type { FlowState } from './flow-types.js';
/**
 * The shared vocabulary of Safe Journey. Every channel produces an `Inbound`,
 * the engine answers with `Reply` objects, and nothing here knows about a
 * platform, a database or HTTP.
 */

/** A language code of content we ship (`vi`, `en`, ...). Vietnamese is the default. */
export type Locale = string;

/** Triage levels; `none` until the triage step has raised it. */
export type Urgency = 'none' | 'urgent' | 'emergency';

/** What a turn did, as reported by `npm run eval`. Keep these names stable. */
export type Intent = 'answer' | 'flow' | 'handoff' | 'refuse' | 'fallback' | 'greeting' | 'command';

/** One user message from any channel, already verified and parsed. */
export interface Inbound {
  /** Channel name: `web`, `zalo`, `messenger`, `line`, `botframework`, `cli`, `eval`. */
  channel: string;
  /** The channel's pseudonymous id for the person (never shown in logs). */
  userId: string;
  /** The platform's id of this message; the same id is never answered twice. */
  messageId: string;
  /** What the person typed (may be empty when they pressed a button). */
  text: string;
  /** Payload of a pressed choice, when the message came from a button. */
  choice?: string;
  /** A language the channel suggests (widget `data-lang`, platform locale). */
  localeHint?: Locale;
  /** Something other than text: a sticker, a photo, a voice note, a place, a file. */
  attachment?: Attachment;
  receivedAt: Date;
}

/** Non-text input. The bot cannot read it; a counsellor in the chat gets a link to it. */
export interface Attachment {
  kind: 'image' | 'sticker' | 'audio' | 'video' | 'file' | 'location' | 'other';
  /** Where the platform keeps it, when it gives a link. */
  url?: string;
}

/** A button or quick reply. `payload` comes back as `Inbound.choice`. */
export interface Choice {
  label: string;
  payload: string;
}

/** A citation shown under an answer. */
export interface SourceRef {
  title: string;
  url: string;
  publisher?: string;
}

/**
 * One message the bot sends. Renderers degrade what their platform lacks:
 * choices become numbered text, sources become a short list.
 */
export interface Reply {
  text: string;
  /** Article title, when the reply answers from the knowledge base. */
  title?: string;
  topicId?: string;
  /** The longer article text (Markdown), for "read more". */
  more?: string;
  sources?: SourceRef[];
  choices?: Choice[];
  /**
   * The text was written by the optional language model from the curated
   * passages and passed every guard (title, sources and choices stay
   * curated). Absent on curated text.
   */
  composed?: boolean;
}

/** Where a conversation is in its life; handoff states arrive with the counsellor queue. */
export type ConversationState = 'bot' | 'waiting' | 'with_counsellor' | 'closed';

export interface Conversation {
  id: string;
  channel: string;
  userId: string;
  locale: Locale;
  state: ConversationState;
  urgency: Urgency;
  /** Kept past the retention period because a counsellor flagged it for follow-up. */
  followUp?: boolean;
  /** Small engine memory: topics offered in a clarifying question, last topic answered. */
  context: ConversationContext;
  createdAt: Date;
  updatedAt: Date;
}

export interface ConversationContext {
  lastTopic?: string;
  /** Whether the person chose the language themselves (then it is not re-detected). */
  localeChosen?: boolean;
  /** The last message pointed to this other language; a second in a row switches to it. */
  pendingLocale?: Locale | undefined;
  /** A guided check in progress. */
  flow?: FlowState | undefined;
  /** The person blocked or unfollowed the bot: nothing is sent until they write again. */
  unreachable?: boolean;
  /** The optional profile question was offered (it is offered once per conversation). */
  profileAsked?: boolean;
  /** The next typed message may be the person's province (they may ignore the question). */
  profileStep?: 'province' | undefined;
  /** What the person chose to tell, for the hotline's anonymous figures. */
  profile?: { callerType?: 'self' | 'relative-or-friend' | 'other'; province?: string };
  /** What a channel needs to write to this person later (Bot Framework: service URL, conversation). */
  address?: Record<string, string>;
}

export type Direction = 'in' | 'out';

/** One line of a transcript. */
export interface StoredMessage {
  id: string;
  conversationId: string;
  direction: Direction;
  text: string;
  /** The full reply (choices, sources) for outbound messages, so a transcript can be redrawn. */
  reply?: Reply;
  /** For inbound button presses. */
  choice?: string;
  createdAt: Date;
}

/** What the engine decided in one turn. */
export interface TurnResult {
  conversationId: string;
  intent: Intent;
  /** Topic ids considered, best first, at most 5. */
  topics: string[];
  /** The conversation's level after this message (it never drops by itself). */
  urgency: Urgency;
  /** Why triage raised this message, in words a counsellor can read. */
  signals: { id: string; level: Urgency; label: string; words: string }[];
  locale: Locale;
  replies: Reply[];
  /** True when the message id had been processed before and nothing was sent. */
  duplicate: boolean;
}

export interface DeliverOptions {
  /** A counsellor wrote this (Messenger then may use the HUMAN_AGENT tag). */
  human?: boolean;
}

/**
 * Sends replies to a person outside a turn (a counsellor's message, "a
 * counsellor has joined"). Implemented by the channel registry; the web
 * widget's gateway is one channel.
 */
export interface Outbound {
  deliver(conversation: Conversation, replies: Reply[], options?: DeliverOptions): Promise<void>;
  /** Shows "typing…" to the person where the channel has such an indicator; otherwise does nothing. */
  typing?(conversation: Conversation): Promise<void>;
}
