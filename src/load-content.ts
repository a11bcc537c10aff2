import type { Locale, Outbound } from './core/types.js';
import { createEngine, type Engine } from './engine/engine.js';
import { createFlowTools } from './engine/flow-tools.js';
import { createJobAdAnalyzer } from './flows/job-ad.js';
import { createEventBus, type EventBus } from './handoff/events.js';
import { createHandoff, type Handoff } from './handoff/handoff.js';
import type { OpeningHours } from './handoff/opening-hours.js';
import type { QueueSettings } from './handoff/queue.js';
import { loadTriage, type Triage } from './handoff/triage.js';
import { type Contact, loadContacts } from './knowledge/contacts.js';
import { type Directory, loadDirectory } from './knowledge/directory.js';
import { type KnowledgeBase, loadKnowledgeBase } from './knowledge/knowledge-base.js';
import {
  createLanguageModel,
  type LanguageModel,
  type LanguageModelDeps,
} from './knowledge/llm/language-model.js';
import type { LlmSettings } from './knowledge/llm/settings.js';
import { type JobAdSignSpec, loadJobAdSigns } from './knowledge/load-flows.js';
import { format } from './knowledge/messages.js';
import type { Store } from './store/store.js';

export interface Content {
  knowledge: KnowledgeBase;
  triage: Triage;
  directory: Directory;
  jobAdSigns: JobAdSignSpec[];
  /** content/contacts.yaml: the numbers and addresses the bot may give. */
  contacts: Contact[];
}

/** Loads and validates everything in the content folder that the engine needs. */
export function loadContent(contentDir: string, defaultLocale: Locale): Content {
  const knowledge = loadKnowledgeBase(contentDir, defaultLocale);
  return {
    knowledge,
    triage: loadTriage(contentDir, knowledge.dict),
    directory: loadDirectory(contentDir),
    jobAdSigns: loadJobAdSigns(contentDir),
    contacts: loadContacts(contentDir),
  };
}

/**
 * The optional language model, or undefined when `mode` is `off`: then no
 * client is built and the model packages are never loaded.
 */
export async function createModel(
  settings: LlmSettings,
  content: Content,
  hooks: Pick<LanguageModelDeps, 'meter' | 'onProblem'> = {},
): Promise<LanguageModel | undefined> {
  if (settings.mode === 'off') return undefined;
  return createLanguageModel(
    { ...settings, mode: settings.mode },
    { knowledge: content.knowledge, contacts: content.contacts, ...hooks },
  );
}

/** Builds the engine and the counsellor handoff over a store: one wiring for server, tools and tests. */
export function assembleEngine(options: {
  store: Store;
  content: Content;
  outbound?: Outbound;
  maxMessageChars?: number;
  queueSettings?: QueueSettings;
  hours?: OpeningHours;
  /** The optional language model (see `createModel`); none by default. */
  model?: LanguageModel;
}): { engine: Engine; handoff: Handoff; events: EventBus } {
  const { store, content } = options;
  const { knowledge } = content;
  const events = createEventBus();
  const handoff = createHandoff({
    store,
    events,
    outbound: options.outbound ?? { deliver: async () => undefined },
    ...(options.queueSettings ? { settings: options.queueSettings } : {}),
    ...(options.hours ? { hours: options.hours } : {}),
    regionOf: (province) => content.directory.search({ province, locale: 'vi' }).province?.region,
    texts: {
      joined: (locale, name) => format(knowledge.messages(locale).counsellor_joined, { name }),
      closed: (locale) => knowledge.messages(locale).counsellor_closed,
    },
  });
  const engine = createEngine({
    store,
    knowledge,
    triage: content.triage,
    handoff,
    flowTools: createFlowTools({
      store,
      directory: content.directory,
      analyzeAd: createJobAdAnalyzer(content.jobAdSigns, knowledge.dict),
    }),
    ...(options.maxMessageChars ? { maxMessageChars: options.maxMessageChars } : {}),
    ...(options.model ? { model: options.model } : {}),
  });
  return { engine, handoff, events };
}
