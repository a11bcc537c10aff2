import type { ChannelAdapter, ChannelEvent, WebhookHooks } from '../bots/channel.js';
import { type ComposeLabels, compose } from '../bots/compose.js';
import type { Conversation, Inbound, Locale, Reply } from '../core/types.js';
import type { Engine } from '../engine/engine.js';
import type { KnowledgeBase } from '../knowledge/knowledge-base.js';
import type { Store } from '../store/store.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import type { Outbox } from './outbox.js';
import { createWindowLimiter } from './rate-limit.js';

export interface ChannelWiring {
  adapters: ChannelAdapter[];
  engine: Engine;
  store: Store;
  knowledge: KnowledgeBase;
  outbox: Outbox;
  logger: Logger;
  metrics: Metrics;
  /** Messages one platform user may send per minute before turns are skipped (default 30). */
  userRatePerMinute?: number;
}

/**
 * Joins the messaging channels to the engine: a verified event becomes an
 * `Inbound`, the turn's replies are rendered by the channel and stored in the
 * outbox, which sends them. The same path serves counsellors' messages.
 */
export function wireChannels(w: ChannelWiring) {
  const { engine, store, knowledge, outbox, logger, metrics } = w;
  // Counted after the signature check, so only real platform users use up a window.
  const perUser = createWindowLimiter({ limit: w.userRatePerMinute ?? 30, windowMs: 60_000 });

  function labels(locale: Locale): ComposeLabels {
    const m = knowledge.messages(locale);
    return { readMore: m.read_more, sources: m.sources };
  }

  function render(adapter: ChannelAdapter, replies: Reply[], locale: Locale) {
    return adapter.render(replies.map((r) => compose(r, labels(locale))));
  }

  /**
   * One event's turn. Its replies are queued, the message marked processed and its inbox
   * entry removed in one store step inside the turn's lease: a crash before that step leaves
   * the entry, and the turn runs again after a restart; after it, the outbox sends the rest.
   */
  async function handle(adapter: ChannelAdapter, event: ChannelEvent, inboxId: string) {
    if (event.type === 'stop') {
      const c = await store.findConversation(adapter.name, event.userId);
      if (c) await store.updateConversation(c.id, { context: { ...c.context, unreachable: true } });
      await store.deleteInbox(inboxId);
      return;
    }
    await remember(adapter.name, event);
    const inbound: Inbound =
      event.type === 'start'
        ? { ...base(adapter, event), text: '', choice: 'cmd:start' }
        : {
            ...base(adapter, event),
            text: event.text,
            ...(event.choice ? { choice: event.choice } : {}),
            ...(event.attachment ? { attachment: event.attachment } : {}),
          };
    const stop = metrics.turnSeconds.startTimer();
    const result = await engine.handle(inbound, (turn) =>
      outbox.enqueue(
        { id: turn.conversationId, channel: adapter.name, userId: event.userId },
        render(adapter, turn.replies, turn.locale),
        {
          human: false,
          key: event.messageId,
          lastInboundAt: event.receivedAt,
          ...(event.hint ? { hint: event.hint } : {}),
          done: { processed: { channel: adapter.name, messageId: event.messageId }, inboxId },
        },
      ),
    );
    stop();
    metrics.turns.inc({ channel: adapter.name, intent: result.intent });
    // A redelivery of a message already answered: nothing to send, only the entry to drop.
    if (result.duplicate) await store.deleteInbox(inboxId);
  }

  /** Too fast: no turn; the first time in a window, one friendly notice through the channel. */
  async function slowDown(
    adapter: ChannelAdapter,
    event: ChannelEvent,
    inboxId: string,
    notify: boolean,
  ) {
    metrics.turnErrors.inc({ reason: 'rate_limited' });
    if (!notify || event.type === 'stop') return store.deleteInbox(inboxId);
    await remember(adapter.name, event);
    const c =
      (await store.findConversation(adapter.name, event.userId)) ??
      (await store.openConversation(adapter.name, event.userId, knowledge.defaultLocale));
    const reply: Reply = { text: knowledge.messages(c.locale).rate_limited };
    await outbox.enqueue(c, render(adapter, [reply], c.locale), {
      human: false,
      key: `rate_limited:${event.messageId}`,
      lastInboundAt: event.receivedAt,
      ...(event.hint ? { hint: event.hint } : {}),
      done: { inboxId },
    });
  }

  /** The channel's address for later sends (Bot Framework), kept fresh on the conversation. */
  async function remember(channel: string, event: Exclude<ChannelEvent, { type: 'stop' }>) {
    if (!event.address) return;
    const c =
      (await store.findConversation(channel, event.userId)) ??
      (await store.openConversation(
        channel,
        event.userId,
        event.localeHint && knowledge.locales.includes(event.localeHint)
          ? event.localeHint
          : knowledge.defaultLocale,
      ));
    if (JSON.stringify(event.address) === JSON.stringify(c.context.address)) return;
    await store.updateConversation(c.id, { context: { ...c.context, address: event.address } });
  }

  function base(adapter: ChannelAdapter, event: Exclude<ChannelEvent, { type: 'stop' }>) {
    return {
      channel: adapter.name,
      userId: event.userId,
      messageId: event.messageId,
      receivedAt: event.receivedAt,
      ...(event.localeHint ? { localeHint: event.localeHint } : {}),
    };
  }

  /** Events of one delivery in order; a failed turn is logged (without text) and the next goes on. */
  function hooks(adapter: ChannelAdapter): WebhookHooks {
    return {
      observe(result) {
        metrics.webhooks.inc({ channel: adapter.name, result });
        if (result !== 'accepted')
          logger.warn({ channel: adapter.name, result }, 'webhook rejected');
      },
      async deliver(events) {
        // Stored first: the platform's 200 waits for this, so a crash after it loses nothing.
        const entries = events.map((event) => ({
          id: inboxId(adapter.name, event),
          channel: adapter.name,
          event,
          receivedAt: new Date(),
        }));
        await store.putInbox(entries);
        // Counted as they arrive, before any turn runs: a burst is judged by when it came.
        const limits = events.map((e) =>
          e.type === 'stop' ? undefined : perUser.hit(`${adapter.name}:${e.userId}`),
        );
        void (async () => {
          for (const [i, event] of events.entries()) {
            const limit = limits[i];
            await run(
              adapter,
              event,
              entries[i]?.id as string,
              limit && !limit.allowed ? limit : undefined,
            );
          }
        })();
      },
    };
  }

  /** One event's turn (its inbox entry goes with it); a failed turn is logged without text. */
  async function run(
    adapter: ChannelAdapter,
    event: ChannelEvent,
    id: string,
    limited?: { firstRefusal: boolean },
  ) {
    try {
      if (limited) await slowDown(adapter, event, id, limited.firstRefusal);
      else await handle(adapter, event, id);
    } catch (error) {
      metrics.turnErrors.inc({ reason: 'server_error' });
      logger.error({ err: error, channel: adapter.name }, 'channel turn failed');
    }
  }

  /**
   * Events a stopped process acknowledged but did not finish: their turns run now.
   * Only entries older than `graceMs`, so another live instance's work is left alone;
   * a turn that had already run is recognised by its message id and not answered twice.
   */
  async function resume(graceMs: number) {
    const byName = new Map(w.adapters.map((a) => [a.name, a]));
    const left = await store.listInbox(new Date(Date.now() - graceMs), 500);
    for (const entry of left) {
      const adapter = byName.get(entry.channel);
      if (!adapter) continue;
      const raw = entry.event as ChannelEvent & { receivedAt: string };
      await run(
        adapter,
        { ...raw, receivedAt: new Date(raw.receivedAt) } as ChannelEvent,
        entry.id,
      );
    }
    return left.length;
  }

  /** A message outside a turn (a counsellor's reply, "a counsellor joined"). */
  async function deliver(
    adapter: ChannelAdapter,
    conversation: Conversation,
    replies: Reply[],
    human: boolean,
  ) {
    const messages = await store.listMessages(conversation.id, 200);
    const lastIn = messages.findLast((m) => m.direction === 'in');
    await outbox.enqueue(conversation, render(adapter, replies, conversation.locale), {
      human,
      ...(lastIn ? { lastInboundAt: lastIn.createdAt } : {}),
    });
  }

  return {
    routes: w.adapters.map((adapter) => ({
      path: adapter.path,
      router: adapter.router(hooks(adapter)),
    })),
    deliver,
    resume,
  };
}

/** A stable id per event: a redelivered event lands on the same inbox entry. */
function inboxId(channel: string, event: ChannelEvent): string {
  return event.type === 'stop'
    ? `${channel}:stop:${event.userId}:${event.receivedAt.getTime()}`
    : `${channel}:${event.type}:${event.messageId}`;
}
