import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { FlowDefinition } from '../core/flow-types.js';
import type { Locale } from '../core/types.js';
import type { Article } from './article-schema.js';
import { missingKeys } from './locale-messages.js';
import type { LocaleMessages, Messages } from './messages.js';

/** How much of the default locale one locale has: counts, and what is missing. */
export interface Coverage {
  have: number;
  total: number;
  missing: string[];
}

/** What `npm run content:check` reports for one locale, compared with the default one. */
export interface LocaleCoverage {
  locale: Locale;
  messages: Coverage;
  articles: Coverage;
  flows: Coverage;
  /** Whether danger written in this language can be recognised (shared triage.yaml or triage/<locale>.yaml). */
  triage: boolean;
}

function coverage(all: string[], have: ReadonlySet<string>): Coverage {
  const missing = all.filter((x) => !have.has(x));
  return { have: all.length - missing.length, total: all.length, missing };
}

/** Locales whose danger phrases triage knows: the shared file's `locales`, and triage/<locale>.yaml. */
function triageLocales(contentDir: string): Set<string> {
  const known = new Set<string>();
  try {
    const shared = parseYaml(readFileSync(join(contentDir, 'triage.yaml'), 'utf8')) as {
      locales?: unknown;
    };
    if (Array.isArray(shared?.locales)) for (const l of shared.locales) known.add(String(l));
  } catch {
    // triage.yaml itself is validated when the content is loaded.
  }
  for (const name of folderEntries(join(contentDir, 'triage'), '.yaml')) known.add(name);
  return known;
}

/** Names in a folder ending in `ext` (without it), or sub-folders when `ext` is undefined. */
function folderEntries(dir: string, ext?: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => (ext ? e.isFile() && e.name.endsWith(ext) : e.isDirectory()))
    .map((e) => (ext ? e.name.slice(0, -ext.length) : e.name));
}

/** Every locale but the default, compared with it: messages keys, articles, checks, danger phrases. */
export function localeCoverage(
  contentDir: string,
  defaultLocale: Locale,
  messages: LocaleMessages,
  articles: Article[],
  flows: FlowDefinition[],
): LocaleCoverage[] {
  const base = messages.get(defaultLocale) as Messages | undefined;
  if (!base) return [];
  const ids = (items: { locale: string; id: string }[], locale: Locale) =>
    new Set(items.filter((x) => x.locale === locale).map((x) => x.id));
  const topics = [...ids(articles, defaultLocale)].sort();
  const checks = [...ids(flows, defaultLocale)].sort();
  const keys = missingKeys({}, base);
  const triage = triageLocales(contentDir);
  return [...messages.keys()]
    .filter((l) => l !== defaultLocale)
    .sort()
    .map((locale) => {
      const missing = new Set(missingKeys(messages.get(locale) ?? {}, base));
      return {
        locale,
        messages: coverage(keys, new Set(keys.filter((k) => !missing.has(k)))),
        articles: coverage(topics, ids(articles, locale)),
        flows: coverage(checks, ids(flows, locale)),
        triage: triage.has(locale),
      };
    });
}

/**
 * Content in a language that has no messages file: it would never be shown,
 * and that language would have no emergency reply, so it is an error.
 */
export function localesWithoutMessages(contentDir: string): string[] {
  const hasMessages = new Set(folderEntries(join(contentDir, 'messages'), '.yaml'));
  const found = [
    ...folderEntries(join(contentDir, 'articles')).map((l) => [l, `articles/${l}/`]),
    ...folderEntries(join(contentDir, 'flows')).map((l) => [l, `flows/${l}/`]),
    ...folderEntries(join(contentDir, 'triage'), '.yaml').map((l) => [l, `triage/${l}.yaml`]),
  ];
  return found
    .filter(([locale]) => !hasMessages.has(locale as string))
    .map(
      ([locale, where]) =>
        `${where}: there is no messages/${locale}.yaml (a language ships only with its emergency reply and "talk to a person" messages)`,
    );
}
