import type { FlowDefinition } from '../core/flow-types.js';
import type { TeencodeDictionary } from '../core/text/normalize.js';
import type { Locale } from '../core/types.js';
import type { Article } from './article-schema.js';
import { type IntentDetector, loadIntents } from './intents.js';
import { loadArticles } from './load-articles.js';
import { loadFlows } from './load-flows.js';
import { loadTeencode } from './load-teencode.js';
import { loadMessages, type Messages } from './messages.js';
import { type Retrieval, retrieve } from './retrieve.js';
import { buildKnowledgeIndex, type KnowledgeIndex } from './search-index.js';

/** Everything the engine needs from `content/`, loaded and validated once. */
export interface KnowledgeBase {
  defaultLocale: Locale;
  locales: Locale[];
  dict: TeencodeDictionary;
  index: KnowledgeIndex;
  intents: IntentDetector;
  /** The article of a topic in a locale, falling back to the default locale. */
  article(topicId: string, locale: Locale): Article | undefined;
  /** UI strings of a locale, falling back to the default locale. */
  messages(locale: Locale): Messages;
  retrieve(text: string): Retrieval;
  /** A guided check in a locale, falling back to the default locale. */
  flow(id: string, locale: Locale): FlowDefinition | undefined;
  /** Checks offered after an answer on this topic. */
  flowsAfter(topicId: string, locale: Locale): FlowDefinition[];
  topicIds(): string[];
}

/** Loads and validates all content; throws a ContentError naming every bad file and field. */
export function loadKnowledgeBase(contentDir: string, defaultLocale: Locale = 'vi'): KnowledgeBase {
  const articles = loadArticles(contentDir);
  const dict = loadTeencode(contentDir);
  const messages = loadMessages(contentDir);
  const index = buildKnowledgeIndex(articles, dict);
  const flows = loadFlows(contentDir);
  const flowByKey = new Map(flows.map((f) => [`${f.locale}/${f.id}`, f]));
  const flow = (id: string, locale: Locale) =>
    flowByKey.get(`${locale}/${id}`) ?? flowByKey.get(`${defaultLocale}/${id}`);
  const byKey = new Map(articles.map((a) => [`${a.locale}/${a.id}`, a]));
  const fallbackMessages = messages.get(defaultLocale);
  if (!fallbackMessages) throw new Error(`no messages for the default locale ${defaultLocale}`);
  return {
    defaultLocale,
    locales: [...messages.keys()],
    dict,
    index,
    intents: loadIntents(contentDir, dict),
    article: (topicId, locale) =>
      byKey.get(`${locale}/${topicId}`) ?? byKey.get(`${defaultLocale}/${topicId}`),
    messages: (locale) => messages.get(locale) ?? fallbackMessages,
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
