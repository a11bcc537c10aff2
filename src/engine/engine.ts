import { setImmediate as yieldToIo } from 'node:timers/promises';
import { InputError, TurnError } from '../core/errors.js';
import type {
  Attachment,
  Conversation,
  Inbound,
  StoredMessage,
  TurnResult,
  Urgency,
} from '../core/types.js';
import type { FlowTools } from '../flows/run-flow.js';
import type { Handoff } from '../handoff/handoff.js';
import { maxUrgency, type Triage, type TriageSignal } from '../handoff/triage.js';
import { UNKNOWN } from '../knowledge/detect-language.js';
import type { KnowledgeBase } from '../knowledge/knowledge-base.js';
import type { LanguageModel } from '../knowledge/llm/language-model.js';
import { scrubPersonalData } from '../knowledge/llm/scrub.js';
import type { Reading } from '../knowledge/understand/understanding.js';
import type { Store } from '../store/store.js';
import { chooseLocale } from './choose-locale.js';
import { decideFlow } from './flow-step.js';
import { applyHandoff } from './handoff-step.js';
import { withLease } from './lease.js';
import { applyModel } from './model-step.js';
import { profileStep } from './profile-step.js';
import { type Decision, routeChoice, routeText, tooLongText } from './route.js';
import { applyTriage } from './safety.js';
import { createSerialQueue } from './serial-queue.js';
import { withModel } from './triage-model.js';

export interface EngineOptions {
  store: Store;
  knowledge: KnowledgeBase;
  triage: Triage;
  handoff: Handoff;
  /** What guided checks may look up (directory, licensed companies, job-ad signs). */
  flowTools: FlowTools;
  /** Longest text accepted in one message (default 2000 characters). */
  maxMessageChars?: number;
  /** The optional language model (none by default: curated answers only). */
  model?: LanguageModel;
}

/**
 * What the caller stores when a turn is done, still inside the turn's lease: it must mark
 * the message processed (a channel does so together with queueing the replies).
 */
export type FinishTurn = (result: TurnResult) => Promise<void>;

export interface Engine {
  /**
   * Runs one turn. Messages of one conversation are handled in arrival order. Without
   * `finish` the engine marks the message processed itself when the turn is done.
   */
  handle(inbound: Inbound, finish?: FinishTurn): Promise<TurnResult>;
  /** The transcript of a person's conversation on a channel (for a widget restoring itself). */
  history(
    channel: string,
    userId: string,
  ): Promise<{ conversation?: Conversation; messages: StoredMessage[] }>;
  /** Waits for every turn in flight (graceful shutdown). */
  drain(): Promise<void>;
}

export function createEngine({
  store,
  knowledge: kb,
  triage,
  handoff,
  flowTools,
  maxMessageChars = 2000,
  model,
}: EngineOptions): Engine {
  const queue = createSerialQueue();

  async function turn(inbound: Inbound, finish?: FinishTurn): Promise<TurnResult> {
    const existing = await store.findConversation(inbound.channel, inbound.userId);
    // A pressed button's label is our own words: only typed text tells the person's language.
    const guess = inbound.choice || !inbound.text ? UNKNOWN : kb.detect(inbound.text);
    const { locale, pending } = chooseLocale(
      existing,
      inbound,
      guess,
      kb.locales,
      kb.defaultLocale,
    );
    const conversation =
      existing ?? (await store.openConversation(inbound.channel, inbound.userId, locale));

    // Checked here and marked when the turn is done, inside the same lease: a redelivery waits
    // for the lease and then sees the mark; a turn cut short by a crash is not marked, so it
    // runs again rather than leaving an acknowledged message unanswered.
    if (await store.isProcessed(inbound.channel, inbound.messageId)) {
      return {
        conversationId: conversation.id,
        intent: 'command',
        topics: [],
        urgency: conversation.urgency,
        signals: [],
        locale,
        replies: [],
        duplicate: true,
      };
    }
    const done = await answer(inbound, conversation, guess, locale, pending);
    if (finish) await finish(done);
    else await store.markProcessed(inbound.channel, inbound.messageId);
    return done;
  }

  async function answer(
    inbound: Inbound,
    start: Conversation,
    guess: ReturnType<KnowledgeBase['detect']>,
    locale: string,
    pending: ReturnType<typeof chooseLocale>['pending'],
  ): Promise<TurnResult> {
    let conversation = start;
    try {
      if (conversation.context.unreachable) {
        // They blocked or unfollowed us, and now wrote again: they may be answered again.
        const { unreachable: _, ...context } = conversation.context;
        conversation = await store.updateConversation(conversation.id, { context });
      }
      const text = inbound.text.normalize('NFC');
      // A photo, sticker or voice note: the bot reads only its caption; the transcript
      // keeps a marker and link so that a counsellor can open it.
      const written = inbound.attachment ? withAttachment(text, inbound.attachment) : text;
      await store.appendMessage({
        conversationId: conversation.id,
        direction: 'in',
        text: written,
        ...(inbound.choice ? { choice: inbound.choice } : {}),
        createdAt: inbound.receivedAt,
      });
      // Every typed message is screened; a pressed button is our own words.
      // The learned model reads it too, unless it is a button, a command or too short or long
      // to judge ("thoát", "menu", one word: the phrase rules still screen every one of them).
      // Triage, the model and the search read Telex leftovers decoded; the transcript keeps the words.
      const seen = inbound.choice ? text : kb.readable(text);
      // Nor an answer to a check's question ("I don't know", a province): alone, it has no meaning.
      const answering = conversation.context.flow || conversation.context.profileStep;
      const read =
        inbound.choice || answering || text.length > maxMessageChars
          ? undefined
          : kb.understanding?.readIfAble(seen);
      // A command is answered as one whatever the model reads; its level is the rules' alone
      // (checked only when the model would raise: the command phrases cost more than the model).
      const reading = read && read.urgency !== 'none' && isCommand(seen) ? undefined : read;
      // Triage by the rules and the learned model; the language model may raise it later.
      const screenedFirst = inbound.choice
        ? { level: 'none' as const, signals: [], abroad: false }
        : withModel(triage.screen(seen), reading, kb.understanding?.thresholds.ruleSupport ?? 0);
      // The level a conversation has reached never drops by itself.
      let urgency = maxUrgency(conversation.urgency, screenedFirst.level);
      if (conversation.state === 'with_counsellor' && !inbound.choice?.startsWith('cmd:delete')) {
        // The counsellor answers now: the bot stays quiet, triage still raises the ticket.
        await store.updateConversation(conversation.id, { urgency });
        await handoff.userMessage(
          conversation,
          written,
          screenedFirst.level,
          screenedFirst.signals,
        );
        const quiet: Decision = { intent: 'handoff', topics: [], replies: [] };
        return result(conversation, quiet, conversation.locale, urgency, screenedFirst.signals);
      }
      const inFlow =
        profileStep(kb, flowTools, conversation, inbound, text, locale) ??
        (text.length > maxMessageChars
          ? undefined
          : await decideFlow(kb, flowTools, conversation, inbound, text, locale, () =>
              decide(inbound, seen, locale, reading),
            ));
      const writtenIn = guess.locale && kb.locales.includes(guess.locale) ? guess.locale : locale;
      const triaged = applyTriage(
        kb,
        screenedFirst,
        inFlow ?? decide(inbound, seen, locale, reading),
        locale,
        writtenIn,
        reading?.urgency,
      );
      // The optional model acts only where triage, commands and checks have nothing to say;
      // it may raise the turn or refuse it, never lower either.
      const modelled = await applyModel(model, kb, triaged, {
        inbound,
        inFlow: inFlow !== undefined,
        screened: screenedFirst,
        conversationId: conversation.id,
        text,
        locale,
        store,
        writtenIn,
      });
      const routed = modelled.decision;
      const screened = modelled.screened;
      urgency = maxUrgency(maxUrgency(urgency, screened.level), routed.raiseTo ?? 'none');
      // Asking for a person, not in danger: the optional profile question, once.
      const askProfile =
        routed.openTicket === 'asked' && urgency === 'none' && !conversation.context.profileAsked;
      if (routed.erase) {
        await store.deleteConversation(conversation.id);
        return result(conversation, routed, locale, urgency, screened.signals);
      }
      const nextLocale = routed.locale ?? locale;
      const updated = await store.updateConversation(conversation.id, {
        locale: nextLocale,
        urgency,
        context: {
          ...conversation.context,
          ...routed.context,
          ...(routed.localeChosen ? { localeChosen: true } : {}),
          ...(askProfile ? { profileAsked: true } : {}),
          // The province question holds for the next message only.
          profileStep: routed.context?.profileStep,
          pendingLocale: routed.localeChosen ? undefined : pending,
        },
      });
      const decision = await applyHandoff(
        kb,
        handoff,
        updated,
        routed,
        screened,
        text,
        nextLocale,
        askProfile,
      );
      for (const reply of decision.replies) {
        await store.appendMessage({
          conversationId: conversation.id,
          direction: 'out',
          text: reply.text,
          reply,
        });
      }
      const done = result(conversation, decision, nextLocale, urgency, screened.signals);
      // Anonymous figures for reports: categories only, no text, no ids.
      await store.recordEvent({
        at: inbound.receivedAt,
        channel: inbound.channel,
        kind: 'turn',
        intent: done.intent,
        ...(done.intent === 'answer' && done.topics[0] ? { topic: done.topics[0] } : {}),
        urgency: done.urgency,
        locale: done.locale,
      });
      // What the bot could not answer, in people's words minus personal data, for the editors.
      const unsure = done.intent === 'fallback' || decision.retrieval === 'clarify';
      if (unsure && !inbound.choice && text.trim()) {
        await store.recordGap({
          at: inbound.receivedAt,
          locale: done.locale,
          channel: inbound.channel,
          text: scrubPersonalData(text).slice(0, 300),
        });
      }
      return done;
    } catch (cause) {
      throw new TurnError(conversation.id, { cause });
    }
  }

  function decide(inbound: Inbound, text: string, locale: string, reading?: Reading): Decision {
    if (text.length > maxMessageChars) {
      return {
        intent: 'command',
        topics: [],
        replies: [{ text: tooLongText(kb, locale, maxMessageChars) }],
      };
    }
    const fromChoice = inbound.choice ? routeChoice(kb, inbound.choice, locale) : undefined;
    return fromChoice ?? routeText(kb, text, locale, reading);
  }

  function isCommand(text: string): boolean {
    const { intents } = kb;
    return (
      intents.isMenu(text) ||
      intents.isCancel(text) ||
      intents.isExit(text) ||
      intents.wantsDelete(text) ||
      intents.flowRequest(text) !== undefined ||
      kb.languageRequest(text) !== undefined
    );
  }

  function withAttachment(text: string, a: Attachment): string {
    const marker = a.url ? `[${a.kind}: ${a.url}]` : `[${a.kind}]`;
    return text ? `${text}\n${marker}` : marker;
  }

  function result(
    conversation: Conversation,
    d: Decision,
    locale: string,
    urgency: Urgency,
    signals: TriageSignal[],
  ): TurnResult {
    return {
      conversationId: conversation.id,
      intent: d.intent,
      topics: d.topics.slice(0, 5),
      urgency,
      signals,
      locale,
      replies: d.replies,
      duplicate: false,
    };
  }

  return {
    handle(inbound, finish) {
      if (typeof inbound.text !== 'string') {
        return Promise.reject(new InputError('bad_message', 'a message needs text'));
      }
      const key = `${inbound.channel}\u0000${inbound.userId}`;
      // In order within this process (queue) and across instances (lease in the store).
      // Each turn first lets pending I/O run: the store calls are synchronous on SQLite, and a
      // burst of turns chained on microtasks would starve heartbeats and new connections.
      return queue.run(key, async () => {
        await yieldToIo();
        return withLease(store, `turn:${key}`, () => turn(inbound, finish));
      });
    },
    async history(channel, userId) {
      const conversation = await store.findConversation(channel, userId);
      if (!conversation) return { messages: [] };
      return { conversation, messages: await store.listMessages(conversation.id, 200) };
    },
    drain: () => queue.drain(),
  };
}
