import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ContentError } from '../core/errors.js';
import type { Article } from './article-schema.js';
import { findContacts, hostKey, loadContacts, phoneKey } from './contacts.js';
import { loadDirectory } from './directory.js';
import { loadIntents } from './intents.js';
import { loadArticles } from './load-articles.js';
import { loadFlows, loadJobAdSigns } from './load-flows.js';
import { loadTeencode } from './load-teencode.js';
import { type LocaleCoverage, localeCoverage, localesWithoutMessages } from './locale-report.js';
import { readMessages } from './messages.js';
import { loadCorpus } from './understand/corpus.js';
import { loadModel } from './understand/understanding.js';

export interface CheckReport {
  errors: string[];
  warnings: string[];
  articles: number;
  /** Every locale but the default: what it has and lacks compared with the default (a report, not errors). */
  locales: LocaleCoverage[];
}

const topicsSchema = z.object({
  full_locales: z.array(z.string()).min(1),
  required: z.array(z.string()).min(1),
});

const YEAR_MS = 365 * 24 * 3600 * 1000;

/**
 * Everything `npm run content:check` verifies: files parse and validate,
 * every required topic exists in every full language, every article exists in
 * every full language, every language has its emergency reply and "talk to a
 * person" messages, every number and address shown is declared in
 * contacts.yaml, and reviews are not older than a year (a warning). What a
 * partial language lacks is reported per locale, without failing.
 */
export function checkContent(
  contentDir: string,
  now = new Date(),
  defaultLocale = 'vi',
): CheckReport {
  const errors: string[] = [];
  const warnings: string[] = [];
  const collect = <T>(load: () => T): T | undefined => {
    try {
      return load();
    } catch (error) {
      if (error instanceof ContentError) errors.push(...error.problems);
      else errors.push((error as Error).message);
      return undefined;
    }
  };

  const articles = collect(() => loadArticles(contentDir)) ?? [];
  const dict = collect(() => loadTeencode(contentDir));
  if (dict) collect(() => loadIntents(contentDir, dict));
  const read = collect(() => readMessages(contentDir, defaultLocale));
  errors.push(...(read?.problems ?? []), ...localesWithoutMessages(contentDir));
  const messages = read?.messages;
  const contacts = collect(() => loadContacts(contentDir)) ?? [];
  collect(() => loadDirectory(contentDir));
  const flows = collect(() => loadFlows(contentDir)) ?? [];
  collect(() => loadJobAdSigns(contentDir));
  const topics = collect(() =>
    topicsSchema.parse(parseYaml(readFileSync(join(contentDir, 'topics.yaml'), 'utf8'))),
  );

  // The labelled corpus the model learns from, and the model itself (it must load and match
  // its manifest; that it is what the corpus builds is `npm run train -- --check`).
  if (existsSync(join(contentDir, 'corpus'))) {
    const topicIds = [...new Set([...(topics?.required ?? []), ...articles.map((a) => a.id)])];
    errors.push(...loadCorpus(contentDir, topicIds).problems);
    if (!collect(() => loadModel(contentDir)))
      warnings.push(
        'model/: no trained model, so only the phrase rules read messages (npm run train)',
      );
  }
  if (topics) {
    const have = new Set(articles.map((a) => `${a.locale}/${a.id}`));
    const ids = new Set([...topics.required, ...articles.map((a) => a.id)]);
    for (const locale of topics.full_locales) {
      for (const id of ids) {
        if (!have.has(`${locale}/${id}`))
          errors.push(
            `articles/${locale}/${id}.md: missing (topic "${id}" must exist in ${locale})`,
          );
      }
    }
  }

  const phones = new Set(contacts.filter((c) => c.kind === 'phone').map((c) => phoneKey(c.value)));
  const emails = new Set(
    contacts.filter((c) => c.kind === 'email').map((c) => c.value.toLowerCase()),
  );
  const hosts = new Set(contacts.filter((c) => c.kind === 'web').map((c) => hostKey(c.value)));
  const shown: { file: string; text: string }[] = articles.map((a: Article) => ({
    file: a.file,
    text: `${a.title}\n${a.short}\n${a.body}`,
  }));
  for (const f of flows) shown.push({ file: f.file, text: JSON.stringify(f) });
  for (const [locale, m] of messages ?? []) {
    shown.push({ file: `messages/${locale}.yaml`, text: JSON.stringify(m) });
  }
  for (const { file, text } of shown) {
    const found = findContacts(text);
    for (const p of found.phones) {
      if (!phones.has(p))
        errors.push(`${file}: phone number "${p}" is not declared in contacts.yaml`);
    }
    for (const e of found.emails) {
      if (!emails.has(e)) errors.push(`${file}: e-mail "${e}" is not declared in contacts.yaml`);
    }
    for (const h of found.hosts) {
      if (!hosts.has(h))
        errors.push(`${file}: web address "${h}" is not declared in contacts.yaml`);
    }
  }

  for (const a of articles) {
    if (now.getTime() - a.review.reviewed.getTime() > YEAR_MS) {
      warnings.push(
        `${a.file}: last reviewed ${a.review.reviewed.toISOString().slice(0, 10)}, more than a year ago`,
      );
    }
    for (const item of a.review.needs_review) warnings.push(`${a.file}: needs review: ${item}`);
  }
  const locales = messages
    ? localeCoverage(contentDir, defaultLocale, messages, articles, flows)
    : [];
  for (const l of locales.filter((x) => !x.triage))
    warnings.push(
      `triage/${l.locale}.yaml: missing, so danger written only in ${l.locale} is not recognised (add its words for the signals of triage.yaml)`,
    );
  return { errors, warnings, articles: articles.length, locales };
}
