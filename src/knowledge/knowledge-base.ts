import type { FlowDefinition } from '../core/flow-types.js';
import { type TeencodeDictionary, words } from '../core/text/normalize.js';
import { untelex } from '../core/text/telex.js';
import type { Locale } from '../core/types.js';
import type { Article } from './article-schema.js';
import { detectLanguage, type LanguageGuess, languageProfile } from './detect-language.js';
import { type IntentDetector, loadIntents } from './intents.js';
import { loadArticles } from './load-articles.js';
import { loadFlows } from './load-flows.js';
import { loadTeencode } from './load-teencode.js';
import { withFallback } from './locale-messages.js';
import { loadMessages, type Messages } from './messages.js';
import { type Retrieval, retrieve } from './retrieve.js';
import { buildKnowledgeIndex, type KnowledgeIndex } from './search-index.js';
import { createUnderstanding, loadModel, type Understanding } from './understand/understanding.js';

/** Everything the engine needs from `content/`, loaded and validated once. */
export interface KnowledgeBase {
  defaultLocale: Locale;
  /** Every locale with a messages file: the default first, then by code. */
  locales: Locale[];
  dict: TeencodeDictionary;
  index: KnowledgeIndex;
  intents: IntentDetector;
  /** The learned reading of a message (content/model/), when the content has a model. */
  understanding?: Understanding;
  /** The article of a topic in a locale, falling back to the default locale. */
  article(topicId: string, locale: Locale): Article | undefined;
  /** UI strings of a locale; each missing one is the default locale's, with the locale's note. */
  messages(locale: Locale): Messages;
  /** The language's own name ("Tiếng Việt", "English"), for the language menu. */
  languageName(locale: Locale): string;
  /**
   * The note shown above a piece (article, check) written in `pieceLocale`
   * when the person reads `locale`; undefined when it is in their language.
   */
  untranslatedNote(locale: Locale, pieceLocale: Locale): string | undefined;
  /** The language one message is written in, among the locales that have content. */
  detect(text: string): LanguageGuess;
  /**
   * The message as triage, the model and the search read it: Telex leftovers
   * decoded ("tooi bij khoas cuwar" → "toi bi khoa cua"), unless it is English.
   * The transcript keeps what the person wrote.
   */
  readable(text: string): string;
  /** The locale asked for when the whole message names a language ("English", "tiếng Việt"). */
  languageRequest(text: string): Locale | undefined;
  retrieve(text: string): Retrieval;
  /** A guided check in a locale, falling back to the default locale. */
  flow(id: string, locale: Locale): FlowDefinition | undefined;
  /** Checks offered after an answer on this topic. */
  flowsAfter(topicId: string, locale: Locale): FlowDefinition[];
  topicIds(): string[];
}

/**
 * Loads and validates all content; throws a ContentError naming every bad file and field.
 * `withModel: false` leaves the learned model out (training reads the content without it,
 * so a stale or missing model never stops a retrain).
 */
export function loadKnowledgeBase(
  contentDir: string,
  defaultLocale: Locale = 'vi',
  { withModel = true } = {},
): KnowledgeBase {
  const articles = loadArticles(contentDir);
  const dict = loadTeencode(contentDir);
  const own = loadMessages(contentDir, defaultLocale);
  const index = buildKnowledgeIndex(articles, dict);
  const flows = loadFlows(contentDir);
  const flowByKey = new Map(flows.map((f) => [`${f.locale}/${f.id}`, f]));
  const flow = (id: string, locale: Locale) =>
    flowByKey.get(`${locale}/${id}`) ?? flowByKey.get(`${defaultLocale}/${id}`);
  const byKey = new Map(articles.map((a) => [`${a.locale}/${a.id}`, a]));
  const base = own.get(defaultLocale) as Messages;
  const locales = [defaultLocale, ...[...own.keys()].filter((l) => l !== defaultLocale).sort()];
  const messages = new Map(locales.map((l) => [l, withFallback(own.get(l) ?? {}, base)]));
  const profiles = locales.map((l) => {
    const m = own.get(l);
    return languageProfile(l, m?.detect_words, m?.detect_letters);
  });
  const intents = loadIntents(contentDir, dict);
  const model = withModel ? loadModel(contentDir) : undefined;
  const said = (text: string) => words(text).join(' ');
  const byName = new Map(locales.map((l) => [said(messages.get(l)?.language_name ?? l), l]));
  return {
    defaultLocale,
    locales,
    dict,
    index,
    intents,
    ...(model ? { understanding: createUnderstanding(model, dict) } : {}),
    article: (topicId, locale) =>
      byKey.get(`${locale}/${topicId}`) ?? byKey.get(`${defaultLocale}/${topicId}`),
    messages: (locale) => messages.get(locale) ?? base,
    languageName: (locale) => messages.get(locale)?.language_name ?? locale,
    untranslatedNote: (locale, pieceLocale) =>
      pieceLocale === locale ? undefined : messages.get(locale)?.untranslated_note,
    detect: (text) => detectLanguage(text, profiles),
    readable: (text) => (detectLanguage(text, profiles).locale === 'en' ? text : untelex(text)),
    languageRequest: (text) => {
      const asked = intents.languageRequest(text) ?? byName.get(said(text));
      return asked && locales.includes(asked) ? asked : undefined;
    },
    retrieve: (text) => retrieve(index, text),
    flow,
    flowsAfter: (topicId, locale) =>
      [...new Set(flows.filter((f) => f.offer_after.includes(topicId)).map((f) => f.id))].flatMap(
        (id) => {
          const f = flow(id, locale);
          return f ? [f] : [];
        },
      ),
    topicIds: () => [...new Set(articles.map((a) => a.id))].sort(),
  };
}
