import type { ConversationContext, Intent, Locale, Reply } from '../core/types.js';
import type { KnowledgeBase } from '../knowledge/knowledge-base.js';
import { format } from '../knowledge/messages.js';
import { fuseTopics, isRefused } from '../knowledge/understand/combine.js';
import type { Reading } from '../knowledge/understand/understanding.js';
import {
  answerReply,
  clarifyReply,
  languageMenuReply,
  menuReply,
  personChoice,
  withNote,
} from './replies.js';

/** What one turn decided, before it is stored. */
export interface Decision {
  intent: Intent;
  topics: string[];
  replies: Reply[];
  context?: ConversationContext;
  locale?: Locale;
  localeChosen?: boolean;
  /** The person asked to erase the conversation and confirmed it. */
  erase?: boolean;
  /** Open (or raise) a ticket in the counsellor queue; the engine adds the place in the queue. */
  openTicket?: 'asked' | 'emergency';
  /** Withdraw the request for a person. */
  cancel?: boolean;
  /** A check's result asks for this level at least (the level never drops). */
  raiseTo?: 'urgent';
  /** How sure the knowledge base was, on a typed question it answered, clarified or missed. */
  retrieval?: 'answer' | 'clarify' | 'none';
}

/** A pressed button: `topic:<id>`, `more:<id>`, `cmd:start`, `cmd:menu`, `cmd:person`, `cmd:languages`, `cmd:lang:<locale>`, `cmd:delete[-yes|-no]`. */
export function routeChoice(
  kb: KnowledgeBase,
  payload: string,
  locale: Locale,
): Decision | undefined {
  const m = kb.messages(locale);
  if (payload.startsWith('topic:')) {
    const topicId = payload.slice('topic:'.length);
    if (!kb.article(topicId, locale)) return undefined;
    return {
      intent: 'answer',
      topics: [topicId],
      replies: [answerReply(kb, topicId, locale)],
      context: { lastTopic: topicId },
    };
  }
  if (payload.startsWith('more:')) {
    // Messaging platforms offer the article body as a button (src/bots/compose.ts).
    const article = kb.article(payload.slice('more:'.length), locale);
    if (!article) return undefined;
    return {
      intent: 'answer',
      topics: [article.id],
      replies: [
        {
          text: withNote(kb.untranslatedNote(locale, article.locale), article.body),
          title: article.title,
          choices: [personChoice(kb, locale)],
        },
      ],
      context: { lastTopic: article.id },
    };
  }
  if (payload.startsWith('cmd:lang:')) {
    const next = payload.slice('cmd:lang:'.length);
    if (!kb.locales.includes(next)) return undefined;
    return {
      intent: 'command',
      topics: [],
      locale: next,
      localeChosen: true,
      replies: [menuReply(kb, next, kb.messages(next).language_set)],
    };
  }
  switch (payload) {
    case 'cmd:languages':
      return { intent: 'command', topics: [], replies: [languageMenuReply(kb, locale)] };
    case 'cmd:menu':
      return { intent: 'command', topics: [], replies: [menuReply(kb, locale)] };
    case 'cmd:start':
      // Follow, "Get started", joined: the greeting with the menu.
      return { intent: 'greeting', topics: [], replies: [menuReply(kb, locale, m.greeting)] };
    case 'cmd:person':
      return { intent: 'handoff', topics: [], replies: [], openTicket: 'asked' };
    case 'cmd:cancel':
      return { intent: 'command', topics: [], replies: [{ text: m.cancelled }], cancel: true };
    case 'cmd:delete':
      return deleteQuestion(kb, locale);
    case 'cmd:exit-yes':
      return { intent: 'command', topics: [], replies: [{ text: m.exit_done }], erase: true };
    case 'cmd:delete-yes':
      return { intent: 'command', topics: [], replies: [{ text: m.deleted }], erase: true };
    case 'cmd:delete-no':
      return { intent: 'command', topics: [], replies: [{ text: m.delete_kept }] };
    case 'cmd:safe-yes':
      return { intent: 'handoff', topics: [], replies: [{ text: m.safe_yes_reply }] };
    case 'cmd:safe-no':
      return { intent: 'handoff', topics: [], replies: [{ text: m.safe_no_reply }] };
    default:
      return undefined;
  }
}

/** Deleting needs one confirmation: "delete my data" says so plainly, the exit word quietly. */
function deleteQuestion(kb: KnowledgeBase, locale: Locale, quiet = false): Decision {
  const m = kb.messages(locale);
  return {
    intent: 'command',
    topics: [],
    replies: [
      {
        text: quiet ? m.exit_confirm : m.delete_confirm,
        choices: [
          { label: m.delete_yes, payload: quiet ? 'cmd:exit-yes' : 'cmd:delete-yes' },
          { label: m.delete_no, payload: 'cmd:delete-no' },
        ],
      },
    ],
  };
}

/**
 * A typed message: commands first, then refusal, a person, and the knowledge
 * base. `reading` is the learned model's (when the content has one): it may
 * refuse, keep an out-of-scope message or a greeting from an article, and
 * reorder the search's topics.
 */
export function routeText(
  kb: KnowledgeBase,
  text: string,
  locale: Locale,
  reading?: Reading,
): Decision {
  const m = kb.messages(locale);
  const { intents } = kb;
  if (text.trim() === '') return { intent: 'command', topics: [], replies: [{ text: m.not_text }] };
  const asked = kb.languageRequest(text);
  if (asked) return routeChoice(kb, `cmd:lang:${asked}`, locale) as Decision;
  if (intents.isMenu(text)) return routeChoice(kb, 'cmd:menu', locale) as Decision;
  if (intents.isCancel(text)) return routeChoice(kb, 'cmd:cancel', locale) as Decision;
  if (intents.wantsDelete(text)) return deleteQuestion(kb, locale);
  if (intents.isExit(text)) return deleteQuestion(kb, locale, true);
  if (
    isRefused(
      { harmful: intents.isHarmfulRequest(text), protective: intents.isProtective(text) },
      reading,
      kb.understanding?.thresholds,
    )
  ) {
    return { intent: 'refuse', topics: [], replies: [{ text: m.refuse }] };
  }
  const searched = kb.retrieve(text);
  const found = reading?.outOfScope
    ? { kind: 'none' as const, hits: searched.hits }
    : fuseTopics(searched, reading, kb.understanding?.thresholds);
  const topics = found.kind === 'none' ? [] : found.hits.map((h) => h.topicId);
  if (intents.wantsPerson(text)) {
    return { intent: 'handoff', topics, replies: [], openTicket: 'asked' };
  }
  if (found.kind === 'answer') {
    return {
      intent: 'answer',
      topics,
      replies: [answerReply(kb, found.topicId, locale)],
      context: { lastTopic: found.topicId },
      retrieval: 'answer',
    };
  }
  if (found.kind === 'clarify') {
    const replies = [clarifyReply(kb, found.topicIds, locale)];
    return { intent: 'answer', topics, replies, retrieval: 'clarify' };
  }
  if (intents.isGreeting(text) || reading?.greeting) {
    return { intent: 'greeting', topics: [], replies: [menuReply(kb, locale, m.greeting)] };
  }
  const replies = [menuReply(kb, locale, m.fallback)];
  return { intent: 'fallback', topics: [], replies, retrieval: 'none' };
}

/** The message shown when a text is longer than the channel allows. */
export function tooLongText(kb: KnowledgeBase, locale: Locale, max: number): string {
  return format(kb.messages(locale).too_long, { max });
}
