/**
 * npm run content:check [-- CONTENT_DIR] [--quiet]
 * Fails (exit 1) on any content error; prints warnings (old reviews, facts
 * marked for review) without failing.
 */
import { resolve } from 'node:path';
import { checkContent } from '../knowledge/content-check.js';

const args = process.argv.slice(2);
const dir = resolve(args.find((a) => !a.startsWith('--')) ?? process.env.CONTENT_DIR ?? 'content');
const report = checkContent(dir);
const reviewItems = report.warnings.filter((w) => w.includes(': needs review: '));
const otherWarnings = report.warnings.filter((w) => !w.includes(': needs review: '));
for (const w of otherWarnings) console.warn(`warning: ${w}`);
if (args.includes('--verbose')) for (const w of reviewItems) console.warn(`review: ${w}`);
for (const e of report.errors) console.error(`error: ${e}`);
console.log(
  `content:check: ${report.articles} articles, ${report.errors.length} errors, ${otherWarnings.length} warnings, ${reviewItems.length} facts marked for review${args.includes('--verbose') ? '' : ' (--verbose lists them)'}`,
);
process.exit(report.errors.length > 0 ? 1 : 0);
