/**
 * npm run content:check [-- CONTENT_DIR] [--quiet] [--verbose]
 * Fails (exit 1) on any content error; prints warnings (old reviews, facts
 * marked for review) without failing, and, for every locale besides
 * Vietnamese, what it has and what it still lacks.
 */
import { resolve } from 'node:path';
import { ContentError } from '../core/errors.js';
import { loadTriage } from '../handoff/triage.js';
import { type CheckReport, checkContent } from '../knowledge/content-check.js';
import { loadTeencode } from '../knowledge/load-teencode.js';
import type { Coverage } from '../knowledge/locale-report.js';

const args = process.argv.slice(2);
const verbose = args.includes('--verbose');
const dir = resolve(args.find((a) => !a.startsWith('--')) ?? process.env.CONTENT_DIR ?? 'content');
const report = checkContent(dir);
report.errors.push(...triageErrors(dir));
const reviewItems = report.warnings.filter((w) => w.includes(': needs review: '));
const otherWarnings = report.warnings.filter((w) => !w.includes(': needs review: '));
for (const w of otherWarnings) console.warn(`warning: ${w}`);
if (verbose) for (const w of reviewItems) console.warn(`review: ${w}`);
printLocales(report);
for (const e of report.errors) console.error(`error: ${e}`);
console.log(
  `content:check: ${report.articles} articles, ${report.errors.length} errors, ${otherWarnings.length} warnings, ${reviewItems.length} facts marked for review${verbose ? '' : ' (--verbose lists them)'}`,
);
process.exit(report.errors.length > 0 ? 1 : 0);

/** Triage phrases (shared and per locale) are loaded here, since knowledge/ may not import handoff/. */
function triageErrors(contentDir: string): string[] {
  try {
    loadTriage(contentDir, loadTeencode(contentDir));
    return [];
  } catch (error) {
    return error instanceof ContentError ? error.problems : [(error as Error).message];
  }
}

/** One line per locale, then what is missing (the first few, or all with --verbose). */
function printLocales({ locales }: CheckReport) {
  const count = (c: Coverage) => `${c.have}/${c.total}`;
  const list = (c: Coverage) =>
    verbose || c.missing.length <= 8
      ? c.missing.join(', ')
      : `${c.missing.slice(0, 8).join(', ')}, … (${c.missing.length} in all; --verbose lists them)`;
  for (const l of locales) {
    console.log(
      `locale ${l.locale} (compared with vi): messages ${count(l.messages)}, articles ${count(l.articles)}, checks ${count(l.flows)}, danger words ${l.triage ? 'yes' : 'NO'}`,
    );
    for (const [what, c] of [
      ['messages', l.messages],
      ['articles', l.articles],
      ['checks', l.flows],
    ] as const) {
      if (c.missing.length > 0) console.log(`  missing ${what} (shown in Vietnamese): ${list(c)}`);
    }
  }
}
