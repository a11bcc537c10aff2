import type { Locale } from './core/types.js';
import { loadTriage, type Triage } from './handoff/triage.js';
import { type KnowledgeBase, loadKnowledgeBase } from './knowledge/knowledge-base.js';

export interface Content {
  knowledge: KnowledgeBase;
  triage: Triage;
}

/** Loads and validates everything in the content folder that the engine needs. */
export function loadContent(contentDir: string, defaultLocale: Locale): Content {
  const knowledge = loadKnowledgeBase(contentDir, defaultLocale);
  return { knowledge, triage: loadTriage(contentDir, knowledge.dict) };
}
