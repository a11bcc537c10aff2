import type { Router } from 'express';
import type { Attachment, Locale } from '../core/types.js';
import type { Composed } from './compose.js';

/**
 * The port every messaging channel implements. An adapter knows its platform
 * (signatures, event shapes, limits, send API) and nothing of the engine: it
 * turns verified webhooks into `ChannelEvent`s and renders `Reply` objects into
 * platform messages that the outbox stores and later hands back to `send`.
 */

/** One thing a person did on a platform, already verified and parsed. */
export type ChannelEvent =
  | {
      type: 'message';
      userId: string;
      /** The platform's id of the message or event; never answered twice. */
      messageId: string;
      text: string;
      /** Payload of a pressed button or quick reply. */
      choice?: string;
      attachment?: Attachment;
      localeHint?: Locale;
      receivedAt: Date;
      /** Kept with the answer's outbox items (LINE reply token). */
      hint?: Record<string, string>;
      /** Stored on the conversation for later sends (Bot Framework service URL). */
      address?: Record<string, string>;
    }
  | {
      /** Follow, "Get started", joined the conversation: greet. */
      type: 'start';
      userId: string;
      messageId: string;
      localeHint?: Locale;
      receivedAt: Date;
      hint?: Record<string, string>;
      address?: Record<string, string>;
    }
  | {
      /** Unfollow, blocked, left: nothing more is sent until they write again. */
      type: 'stop';
      userId: string;
      receivedAt: Date;
    };

/** What `send` knows about the message besides its payload. */
export interface SendContext {
  /** The outbox item id: the same on every retry (an idempotency key where the platform has one). */
  key: string;
  /** A counsellor wrote it, not the bot. */
  human: boolean;
  /** When the person last wrote, for platforms with reply windows. */
  lastInboundAt?: Date;
  /** The event's hint (a reply token) and when that event arrived. */
  hint?: Record<string, string>;
  /** The conversation's stored address. */
  address?: Record<string, string>;
  /** True for the first item of a turn's answer (a one-shot reply token serves only it). */
  first: boolean;
}

/** What an adapter's router reports to the service. */
export interface WebhookHooks {
  /**
   * Hands verified events over. Resolves once they are stored: only then may the
   * platform get its 200 (a failure means 5xx, and the platform delivers again).
   * The turns run after that.
   */
  deliver(events: ChannelEvent[]): Promise<void>;
  /** Counts and logs a request's outcome (never its body). */
  observe(result: 'accepted' | 'bad_signature' | 'bad_request'): void;
}

export interface ChannelAdapter {
  /** `zalo`, `messenger`, `line`, `botframework`: the `Inbound.channel` of its conversations. */
  name: string;
  /** Where its webhook is mounted, e.g. `/webhooks/messenger`. */
  path: string;
  /** Verifies, parses and acknowledges; hands the events over after the acknowledgement. */
  router(hooks: WebhookHooks): Router;
  /**
   * The replies (already plain text and choices, see compose.ts) as platform
   * messages within the platform's limits; one element per send.
   */
  render(replies: Composed[]): unknown[];
  /**
   * Sends one rendered message. Throws `PlatformError` when the platform says
   * no and `PlatformUnreachableError` when it cannot be reached.
   */
  send(userId: string, message: unknown, context: SendContext): Promise<SendResult | undefined>;
  /** Shows "typing…", where the platform can. */
  typing?(userId: string, address?: Record<string, string>): Promise<void>;
}

/** How a message went out, for the counts (LINE: a free reply or a push that costs quota). */
export interface SendResult {
  via: 'reply' | 'push' | 'send';
}

/**
 * Small durable state a channel keeps between restarts and shares across
 * instances (Zalo's rotating tokens). Implemented by the service over the store.
 */
export interface ChannelState {
  get(name: string): Promise<unknown>;
  put(name: string, value: unknown): Promise<void>;
  /** Runs `fn` while holding a lease no other instance holds; undefined when it is taken. */
  exclusive<T>(name: string, fn: () => Promise<T>): Promise<T | undefined>;
}
