import type { Counsellor, Ticket, TicketOutcome } from '../core/handoff-types.js';
import type { ReportEvent } from '../core/report-types.js';
import type { Conversation, Locale, Outbound, Reply, Urgency } from '../core/types.js';
import type { Store } from '../store/store.js';
import type { EventBus } from './events.js';
import type { OpeningHours } from './opening-hours.js';
import {
  DEFAULT_QUEUE_SETTINGS,
  expectedWaitMinutes,
  helpNextOrder,
  orderQueue,
  type QueueSettings,
} from './queue.js';
import { replyWindow } from './reply-window.js';

/** Sentences the handoff says to the person; the composition root fills them from content. */
export interface HandoffTexts {
  joined(locale: Locale, counsellorName: string): string;
  closed(locale: Locale): string;
}

export interface HandoffOptions {
  store: Store;
  events: EventBus;
  outbound: Outbound;
  texts: HandoffTexts;
  settings?: QueueSettings;
  /** When counsellors answer; all day when not given. */
  hours?: OpeningHours;
  /** The reporting region of a province (given by the composition root). */
  regionOf?: (province: string) => string | undefined;
  now?: () => Date;
}

export interface PlaceInQueue {
  ticket: Ticket;
  created: boolean;
  /** 1 = next to be taken. */
  position: number;
  online: number;
  waitMinutes: number;
  /** False outside the opening hours: the person is told when counsellors answer. */
  withinHours: boolean;
  hoursLabel: string;
}

export type ActionResult =
  | { ok: true; ticket: Ticket }
  | { ok: false; status: 403 | 404 | 409; message: string };

type Signals = Ticket['signals'];

/**
 * The handoff state machine: a conversation goes bot → waiting (ticket
 * queued) → with_counsellor (claimed) → bot (closed). Every change is one
 * atomic store update, so many counsellors and many servers can act at once.
 */
const SNAPSHOT_MS = 1000;

export function createHandoff(o: HandoffOptions) {
  const { store, events, outbound, texts } = o;
  const settings = o.settings ?? DEFAULT_QUEUE_SETTINGS;
  const now = o.now ?? (() => new Date());

  async function online(): Promise<number> {
    return (await store.listCounsellors()).filter((c) => c.available).length;
  }

  // The place a person is told is an estimate: one read of the open tickets serves every
  // request for a person within a second, instead of one read of all of them per message
  // (with thousands waiting, that read was most of a turn). Counsellors' views read fresh.
  let snapshot: { at: number; tickets: Promise<Ticket[]> } | undefined;
  function openTickets(): Promise<Ticket[]> {
    const at = now().getTime();
    if (!snapshot || at - snapshot.at >= SNAPSHOT_MS || at < snapshot.at) {
      const tickets = store.listOpenTickets();
      const taken = { at, tickets };
      snapshot = taken;
      tickets.catch(() => {
        if (snapshot === taken) snapshot = undefined;
      });
    }
    return snapshot.tickets;
  }

  async function place(ticket: Ticket, created: boolean): Promise<PlaceInQueue> {
    // This ticket as it is now (new, or raised since the snapshot was read).
    const others = (await openTickets()).filter((t) => t.id !== ticket.id);
    const queue = orderQueue([...others, ticket], now(), settings);
    const position = Math.max(1, queue.findIndex((t) => t.id === ticket.id) + 1);
    const count = await online();
    return {
      ticket,
      created,
      position,
      online: count,
      waitMinutes: expectedWaitMinutes(position, count),
      withinHours: o.hours?.open(now()) ?? true,
      hoursLabel: o.hours?.label ?? '00:00-24:00',
    };
  }

  async function withTicket(
    id: string,
    check: (t: Ticket) => string | undefined,
    act: (t: Ticket) => Promise<boolean>,
  ): Promise<ActionResult> {
    const ticket = await store.getTicket(id);
    if (!ticket) return { ok: false, status: 404, message: 'no such ticket' };
    const problem = check(ticket);
    if (problem) return { ok: false, status: 403, message: problem };
    if (!(await act(ticket)))
      return {
        ok: false,
        status: 409,
        message: 'the ticket changed meanwhile (claimed, closed or not yours)',
      };
    return { ok: true, ticket: (await store.getTicket(id)) as Ticket };
  }

  const mayManage = (c: Counsellor, t: Ticket) =>
    t.ownerId === c.id || c.role !== 'counsellor'
      ? undefined
      : 'only the counsellor who took this chat (or a supervisor) may do that';

  return {
    online,
    /** Opens (or raises) the ticket of a conversation; the person is told their place. */
    async requestPerson(
      conversation: Conversation,
      level: Urgency,
      signals: Signals,
      reason: Ticket['reason'],
    ): Promise<PlaceInQueue> {
      const { ticket, created } = await store.openTicket({
        conversationId: conversation.id,
        channel: conversation.channel,
        locale: conversation.locale,
        level,
        signals,
        reason,
      });
      if (conversation.state === 'bot' || conversation.state === 'closed') {
        await store.updateConversation(conversation.id, { state: 'waiting' });
      }
      events.emit(created ? 'ticket.opened' : 'ticket.raised', { ticket });
      return place(ticket, created);
    },

    /** A message from the person while waiting or with a counsellor: raises the ticket, reaches the console. */
    async userMessage(conversation: Conversation, text: string, level: Urgency, signals: Signals) {
      let ticket = await store.openTicketFor(conversation.id);
      if (!ticket) return undefined;
      if (level !== 'none' || signals.length > 0) {
        const before = ticket.level;
        ticket = (await store.raiseTicket(ticket.id, level, signals)) ?? ticket;
        if (ticket.level !== before) events.emit('ticket.raised', { ticket });
      }
      events.emit('message.received', { ticket, text, at: now() });
      return ticket;
    },

    async cancel(conversation: Conversation): Promise<boolean> {
      const ticket = await store.openTicketFor(conversation.id);
      if (!ticket || !(await store.cancelTicket(ticket.id))) return false;
      await store.updateConversation(conversation.id, { state: 'bot' });
      events.emit('ticket.closed', { ticket: { ...ticket, status: 'closed' } });
      return true;
    },

    async queue(): Promise<Ticket[]> {
      return orderQueue(await store.listOpenTickets(), now(), settings);
    },

    async claim(id: string, counsellor: Counsellor): Promise<ActionResult> {
      const result = await withTicket(
        id,
        () => undefined,
        () => store.claimTicket(id, counsellor.id),
      );
      if (result.ok) await joined(result.ticket, counsellor);
      return result;
    },

    /**
     * "Help next": the top of the queue, preferring the counsellor's languages
     * (never over an emergency), or the next one if someone else was faster.
     */
    async claimNext(counsellor: Counsellor): Promise<ActionResult> {
      const at = now();
      const queue = orderQueue(await store.listOpenTickets(), at, settings);
      const online = (await store.listCounsellors()).filter((c) => c.available);
      for (const ticket of helpNextOrder(queue, counsellor, online, at, settings)) {
        if (await store.claimTicket(ticket.id, counsellor.id)) {
          const claimed = (await store.getTicket(ticket.id)) as Ticket;
          await joined(claimed, counsellor);
          return { ok: true, ticket: claimed };
        }
      }
      return { ok: false, status: 404, message: 'nobody is waiting' };
    },

    async release(id: string, counsellor: Counsellor): Promise<ActionResult> {
      const result = await withTicket(
        id,
        (t) => mayManage(counsellor, t),
        () => store.releaseTicket(id, counsellor.id, counsellor.role !== 'counsellor'),
      );
      if (result.ok) {
        await store.updateConversation(result.ticket.conversationId, { state: 'waiting' });
        events.emit('ticket.released', { ticket: result.ticket });
      }
      return result;
    },

    async transfer(id: string, counsellor: Counsellor, to: Counsellor): Promise<ActionResult> {
      const result = await withTicket(
        id,
        (t) => mayManage(counsellor, t),
        (t) =>
          store.transferTicket(
            id,
            t.ownerId ?? counsellor.id,
            to.id,
            counsellor.role !== 'counsellor',
          ),
      );
      if (result.ok) events.emit('ticket.claimed', { ticket: result.ticket, by: to.id });
      return result;
    },

    async close(id: string, counsellor: Counsellor, outcome: TicketOutcome): Promise<ActionResult> {
      const result = await withTicket(
        id,
        (t) => mayManage(counsellor, t),
        () => store.closeTicket(id, counsellor.id, outcome, counsellor.role !== 'counsellor'),
      );
      if (result.ok) {
        const conversation = await store.updateConversation(result.ticket.conversationId, {
          state: 'bot',
        });
        await tell(conversation, { text: texts.closed(conversation.locale) });
        // What the person chose to tell fills what the counsellor did not record.
        const told = conversation.context.profile ?? {};
        const profile = { ...told, ...outcome.profile };
        await store.recordEvent(
          closedEvent(
            result.ticket,
            Object.keys(profile).length ? { ...outcome, profile } : outcome,
          ),
        );
        events.emit('ticket.closed', { ticket: result.ticket });
      }
      return result;
    },

    /** "Typing…" to the person, only from the counsellor who owns the chat. */
    async counsellorTyping(id: string, counsellor: Counsellor): Promise<void> {
      const ticket = await store.getTicket(id);
      if (ticket?.status !== 'claimed' || ticket.ownerId !== counsellor.id) return;
      const conversation = await store.getConversation(ticket.conversationId);
      if (conversation) await outbound.typing?.(conversation);
    },

    /** A counsellor's reply, stored and sent through the person's own channel. */
    async counsellorMessage(
      id: string,
      counsellor: Counsellor,
      text: string,
    ): Promise<ActionResult> {
      const ticket = await store.getTicket(id);
      if (!ticket) return { ok: false, status: 404, message: 'no such ticket' };
      if (ticket.status !== 'claimed' || ticket.ownerId !== counsellor.id) {
        return { ok: false, status: 403, message: 'take the chat before writing in it' };
      }
      const conversation = await store.getConversation(ticket.conversationId);
      if (!conversation) return { ok: false, status: 404, message: 'the conversation was deleted' };
      // Messenger and Zalo refuse messages long after the person's last one: say so before storing.
      const lastIn = (await store.listMessages(conversation.id, 200)).findLast(
        (m) => m.direction === 'in',
      );
      const window = replyWindow(conversation.channel, lastIn?.createdAt, now());
      if (window.state === 'closed') {
        return {
          ok: false,
          status: 409,
          message: `the person last wrote more than ${window.hardHours} hours ago; ${conversation.channel} no longer accepts messages to them until they write again`,
        };
      }
      await tell(conversation, { text, title: counsellor.displayName }, true);
      return { ok: true, ticket };
    },
  };

  /** A message outside a turn: kept in the transcript first, then sent through the person's channel. */
  async function tell(conversation: Conversation, reply: Reply, human = false) {
    await store.appendMessage({
      conversationId: conversation.id,
      direction: 'out',
      text: reply.text,
      reply,
    });
    await outbound.deliver(conversation, [reply], { human });
  }

  /** The anonymous figure a closed case adds to the hotline's reports. */
  function closedEvent(ticket: Ticket, outcome: TicketOutcome): ReportEvent {
    const province = outcome.profile?.province;
    const region = province ? o.regionOf?.(province) : undefined;
    return {
      at: now(),
      channel: ticket.channel,
      kind: 'ticket',
      urgency: ticket.level,
      locale: ticket.locale,
      outcome: outcome.kind,
      detail: outcome.detail,
      ...(outcome.agency ? { agency: outcome.agency } : {}),
      ...(outcome.profile?.callerType ? { callerType: outcome.profile.callerType } : {}),
      ...(outcome.profile?.gender ? { gender: outcome.profile.gender } : {}),
      ...(province ? { province } : {}),
      ...(region ? { region } : {}),
      ...(ticket.claimedAt
        ? {
            waitSeconds: Math.round(
              (ticket.claimedAt.getTime() - ticket.openedAt.getTime()) / 1000,
            ),
          }
        : {}),
    };
  }

  async function joined(ticket: Ticket, counsellor: Counsellor) {
    const conversation = await store.updateConversation(ticket.conversationId, {
      state: 'with_counsellor',
    });
    await tell(conversation, { text: texts.joined(conversation.locale, counsellor.displayName) });
    await store.recordAudit({
      at: now(),
      counsellorId: counsellor.id,
      action: 'claim',
      ticketId: ticket.id,
      conversationId: ticket.conversationId,
    });
    events.emit('ticket.claimed', { ticket, by: counsellor.id });
  }
}

export type Handoff = ReturnType<typeof createHandoff>;
