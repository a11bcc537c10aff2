import type { Choice, Locale, Reply } from '../core/types.js';
import type { KnowledgeBase } from '../knowledge/knowledge-base.js';

/** The button that always leads to a person. */
export function personChoice(kb: KnowledgeBase, locale: Locale): Choice {
  return { label: kb.messages(locale).talk_to_person, payload: 'cmd:person' };
}

export function topicChoice(
  kb: KnowledgeBase,
  topicId: string,
  locale: Locale,
): Choice | undefined {
  const article = kb.article(topicId, locale);
  return article ? { label: article.title, payload: `topic:${topicId}` } : undefined;
}

/** A curated answer: short text, the article for "read more", sources, what next. */
export function answerReply(kb: KnowledgeBase, topicId: string, locale: Locale): Reply {
  const article = kb.article(topicId, locale);
  if (!article) throw new Error(`no article for topic ${topicId}`);
  const related = article.related
    .slice(0, 2)
    .map((id) => topicChoice(kb, id, locale))
    .filter((c): c is Choice => c !== undefined);
  const checks = kb
    .flowsAfter(topicId, locale)
    .map((f) => ({ label: f.title, payload: `flow:${f.id}` }));
  return {
    text: withNote(kb.untranslatedNote(locale, article.locale), article.short.trim()),
    title: article.title,
    topicId,
    more: article.body,
    sources: article.sources.map((s) => ({ title: s.title, url: s.url, publisher: s.publisher })),
    choices: [...checks.slice(0, 1), ...related, personChoice(kb, locale)],
  };
}

/** A piece in another language, preceded by the one-line note (per piece, not per conversation). */
export function withNote(note: string | undefined, text: string): string {
  return note ? `${note}\n\n${text}` : text;
}

/** Up to this many other languages get a button each on the menu; more share one "languages" button. */
const DIRECT_LANGUAGE_BUTTONS = 2;

/** The menu from content, with a way to every other language that has content. */
export function menuReply(kb: KnowledgeBase, locale: Locale, text?: string): Reply {
  const m = kb.messages(locale);
  // Language buttons come from the locales themselves, not from a hand-kept list in each menu.
  const topics = m.menu.filter((c) => !c.payload.startsWith('cmd:lang')).map((c) => ({ ...c }));
  const others = kb.locales.filter((l) => l !== locale);
  const languages =
    others.length <= DIRECT_LANGUAGE_BUTTONS
      ? others.map((l) => ({ label: kb.languageName(l), payload: `cmd:lang:${l}` }))
      : [{ label: m.languages_button, payload: 'cmd:languages' }];
  return { text: text ?? m.menu_prompt, choices: [...topics, ...languages] };
}

/** Every locale with content, each under its own name. */
export function languageMenuReply(kb: KnowledgeBase, locale: Locale): Reply {
  return {
    text: kb.messages(locale).language_prompt,
    choices: kb.locales.map((l) => ({ label: kb.languageName(l), payload: `cmd:lang:${l}` })),
  };
}

export function clarifyReply(kb: KnowledgeBase, topicIds: string[], locale: Locale): Reply {
  const choices = topicIds
    .map((id) => topicChoice(kb, id, locale))
    .filter((c): c is Choice => c !== undefined);
  return { text: kb.messages(locale).clarify, choices: [...choices, personChoice(kb, locale)] };
}

/** Plain text of replies, for logs-free tools (eval, CLI, text-only channels). */
export function repliesAsText(replies: Reply[]): string {
  return replies.map((r) => (r.title ? `${r.title}\n${r.text}` : r.text)).join('\n\n');
}
