import type { GapEntry, GapGroup } from '../core/report-types.js';
import { words } from '../core/text/normalize.js';
import { STOPWORDS } from './stopwords.js';

/** The words that carry meaning: folded, no function words, no placeholders or lone digits. */
function meaning(text: string): Set<string> {
  return new Set(
    words(text.replace(/\[[a-z-]+\]/g, ' ')).filter(
      (w) => w.length > 1 && !STOPWORDS.has(w) && !/^\d+$/.test(w),
    ),
  );
}

/**
 * Whether two questions are about the same thing: most words of the shorter
 * one appear in the other (overlap coefficient), and at least two words are
 * shared unless one question is a single word. Questions differ in length far
 * more than in subject ("phở bò?" / "công thức nấu phở bò ngon nhất").
 */
function alike(a: Set<string>, b: Set<string>, threshold: number): boolean {
  let shared = 0;
  for (const w of a) if (b.has(w)) shared++;
  const smaller = Math.min(a.size, b.size);
  return shared >= Math.min(2, smaller) && shared / smaller >= threshold;
}

/**
 * Groups unanswered questions by the words they share (see `alike`, against
 * the group's first question), biggest groups first: what to write next, in people's own words.
 * Greedy and linear in groups per question; a year of fallbacks is a few
 * thousand lines, so this stays fast without an index.
 */
export function groupGaps(entries: GapEntry[], threshold = 0.6): GapGroup[] {
  const groups: (GapGroup & { key: Set<string> })[] = [];
  for (const e of entries) {
    const key = meaning(e.text);
    if (key.size === 0) continue;
    const home = groups.find((g) => alike(g.key, key, threshold));
    if (!home) {
      groups.push({
        key,
        count: 1,
        terms: [...key],
        examples: [e.text],
        locales: [e.locale],
        firstSeen: e.at,
        lastSeen: e.at,
      });
      continue;
    }
    home.count++;
    home.terms = home.terms.filter((t) => key.has(t));
    if (home.examples.length < 3 && !home.examples.includes(e.text)) home.examples.push(e.text);
    if (!home.locales.includes(e.locale)) home.locales.push(e.locale);
    if (e.at < home.firstSeen) home.firstSeen = e.at;
    if (e.at > home.lastSeen) home.lastSeen = e.at;
  }
  return groups
    .map(({ key: _, ...g }) => g)
    .sort((a, b) => b.count - a.count || b.lastSeen.getTime() - a.lastSeen.getTime());
}
