import { randomUUID } from 'node:crypto';
import type { ChannelAdapter } from '../bots/channel.js';
import { PlatformError } from '../core/errors.js';
import type { Conversation } from '../core/types.js';
import { releaseLease } from '../engine/lease.js';
import type { OutboxItem, Store, TurnDone } from '../store/store.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';

export interface RetryPolicy {
  /** First retry after about this long; each next one waits twice as long (default 1 s). */
  baseMs: number;
  /** The longest wait between two attempts (default 5 min). */
  maxMs: number;
  /** A message not delivered by then is given up and shown to the counsellor (default 24 h). */
  expiryMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { baseMs: 1000, maxMs: 300_000, expiryMs: 86_400_000 };

export interface OutboxOptions {
  store: Store;
  adapters: ReadonlyMap<string, ChannelAdapter>;
  logger: Logger;
  metrics: Metrics;
  retry?: RetryPolicy;
  /** How often pending items are looked for (default 1 s); new items are sent at once. */
  pollMs?: number;
  /** Conversations sent to at the same time (default 32). */
  concurrency?: number;
  /** A message given up for good (blocked, window closed, expired). */
  onUndeliverable?(item: OutboxItem, reason: string): void;
  now?: () => Date;
}

export interface EnqueueMeta {
  /** A counsellor wrote it. */
  human: boolean;
  /** Makes the item ids stable (the platform message id of the turn), so a redelivery cannot double them. */
  key?: string;
  lastInboundAt?: Date;
  hint?: Record<string, string>;
  /** The inbound event these messages answer, settled in the same store step. */
  done?: TurnDone;
}

export type Outbox = ReturnType<typeof createOutbox>;

/** How long one instance may hold a person's sends before another may take over. */
const LEASE_MS = 60_000;

/**
 * Every platform message is stored before it is sent and marked sent only
 * after the platform accepted it, so a crash or restart resumes pending sends.
 * Messages of one conversation go out in order under a store lease (one sender
 * across instances); failures are retried with exponential backoff and jitter,
 * honouring Retry-After, until they are delivered or expire.
 */
export function createOutbox(o: OutboxOptions) {
  const { store, adapters, logger, metrics } = o;
  const retry = o.retry ?? DEFAULT_RETRY;
  const now = o.now ?? (() => new Date());
  const concurrency = o.concurrency ?? 32;
  let running: Promise<void> | undefined;
  let again = false;
  let timer: NodeJS.Timeout | undefined;

  async function enqueue(
    conversation: Pick<Conversation, 'id' | 'channel' | 'userId'>,
    messages: unknown[],
    meta: EnqueueMeta,
  ) {
    if (messages.length === 0) {
      if (meta.done) await store.enqueueOutbox([], meta.done);
      return;
    }
    const at = now();
    const key = meta.key ?? randomUUID();
    await store.enqueueOutbox(
      messages.map((payload, seq) => ({
        id: `${conversation.id}:${key}:${seq}`,
        channel: conversation.channel,
        conversationId: conversation.id,
        userId: conversation.userId,
        seq,
        payload,
        meta: {
          human: meta.human,
          ...(meta.lastInboundAt ? { lastInboundAt: meta.lastInboundAt.toISOString() } : {}),
          ...(meta.hint ? { hint: meta.hint } : {}),
        },
        createdAt: at,
        expiresAt: new Date(at.getTime() + retry.expiryMs),
      })),
      meta.done,
    );
    // Straight to this person's queue; the periodic pass picks up retries and leftovers.
    void sendConversation(conversation.id).catch((error) =>
      logger.error({ err: error }, 'outbox send failed'),
    );
  }

  /** Sends what is due; overlapping calls fold into one more pass. */
  function kick(): Promise<void> {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        try {
          await pass();
        } catch (error) {
          logger.error({ err: error }, 'outbox pass failed');
        }
      } while (again);
    })().finally(() => {
      running = undefined;
    });
    return running;
  }

  async function pass() {
    // A conversation this process is sending to already picks up what is new after its send.
    const due = await store.dueOutbox(now(), 1000);
    const queue = due.filter((id) => !sending.has(id));
    const workers = Array.from({ length: Math.min(concurrency, queue.length) }, async () => {
      for (let id = queue.shift(); id; id = queue.shift()) await sendConversation(id);
    });
    await Promise.all(workers);
  }

  /** One sender per conversation in this process; the store lease covers other instances. */
  const sending = new Map<string, Promise<void>>();
  function sendConversation(conversationId: string): Promise<void> {
    const running = sending.get(conversationId);
    if (running) {
      // Whatever was enqueued meanwhile goes right after the send in progress.
      const next = running.then(() => sendConversation(conversationId));
      return next;
    }
    const job = sendLeased(conversationId).finally(() => sending.delete(conversationId));
    sending.set(conversationId, job);
    return job;
  }

  async function sendLeased(conversationId: string) {
    const token = await store.acquireLock(`outbox:${conversationId}`, LEASE_MS);
    if (!token) return; // another instance is sending to this person
    try {
      // Read again under the lease: what another instance sent meanwhile is no longer pending.
      const items = await store.pendingOutbox(100, conversationId);
      const conversation = await store.getConversation(conversationId);
      for (const item of items) {
        if (item.nextAttemptAt > now()) break; // later items wait: order is kept
        if (!(await attempt(item, conversation))) break;
      }
    } finally {
      await releaseLease(store, `outbox:${conversationId}`, token, LEASE_MS);
    }
  }

  /** One try; false when the conversation's later items must wait. */
  async function attempt(
    item: OutboxItem,
    conversation: Conversation | undefined,
  ): Promise<boolean> {
    const adapter = adapters.get(item.channel);
    if (!adapter) return giveUp(item, 'no_channel');
    if (item.expiresAt <= now()) return giveUp(item, 'expired', 'expired');
    // No conversation: the person just erased their data, and still gets the "deleted" reply.
    if (conversation?.context.unreachable) return giveUp(item, 'blocked');
    const meta = item.meta as {
      human?: boolean;
      lastInboundAt?: string;
      hint?: Record<string, string>;
    };
    try {
      const sent = await adapter.send(item.userId, item.payload, {
        key: item.id,
        human: meta.human === true,
        first: item.seq === 0,
        ...(meta.lastInboundAt ? { lastInboundAt: new Date(meta.lastInboundAt) } : {}),
        ...(meta.hint ? { hint: meta.hint } : {}),
        ...(conversation?.context.address ? { address: conversation.context.address } : {}),
      });
      await store.settleOutbox(item.id, 'sent');
      metrics.sends.inc({ channel: item.channel, via: sent?.via ?? 'send' });
      return true;
    } catch (error) {
      const permanent = error instanceof PlatformError && !error.retryable;
      const reason = error instanceof PlatformError ? error.reason : 'unreachable';
      metrics.sendFailures.inc({ channel: item.channel, reason, retry: String(!permanent) });
      logger.warn(
        {
          channel: item.channel,
          conversationId: item.conversationId,
          reason,
          attempts: item.attempts + 1,
        },
        permanent ? 'platform refused a message' : 'send failed, will retry',
      );
      if (permanent) {
        if (reason === 'blocked' && conversation) {
          await store.updateConversation(conversation.id, {
            context: { ...conversation.context, unreachable: true },
          });
          conversation.context.unreachable = true;
        }
        return giveUp(item, reason);
      }
      const attempts = item.attempts + 1;
      const waitMs = Math.max(
        backoffMs(attempts, retry),
        error instanceof PlatformError && error.retryAfterSeconds
          ? error.retryAfterSeconds * 1000
          : 0,
      );
      await store.retryOutbox(
        item.id,
        attempts,
        new Date(now().getTime() + waitMs),
        `${item.channel} ${reason}`,
      );
      return false;
    }
  }

  async function giveUp(item: OutboxItem, reason: string, status: 'failed' | 'expired' = 'failed') {
    await store.settleOutbox(item.id, status, reason);
    o.onUndeliverable?.(item, reason);
    return true;
  }

  return {
    enqueue,
    /** Sends everything due now and resolves when done (tests, shutdown). */
    flush: kick,
    start() {
      timer ??= setInterval(() => void kick(), o.pollMs ?? 1000);
      timer.unref();
      void kick();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      // Sends started straight from enqueue run outside the pass: wait for them too, so a
      // restart never leaves a lease held (the next instance would wait a minute for it).
      await Promise.allSettled([running, ...sending.values()]);
    },
  };
}

/** Exponential backoff with jitter: half fixed, half random, so retries from many senders spread out. */
export function backoffMs(attempt: number, policy: RetryPolicy): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** (attempt - 1));
  return ceiling / 2 + Math.random() * (ceiling / 2);
}
