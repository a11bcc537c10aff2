import type { Choice, Reply } from '../core/types.js';

/**
 * Turning a channel-neutral `Reply` into what a messaging platform can show:
 * plain text (no Markdown), sources as a short list, "read more" as a button,
 * text split on sentence boundaries, and choices cut to the platform's limits.
 * Every adapter renders through these, so the rules are the same everywhere.
 */

/** Words the composition needs in the conversation's language (from content/messages). */
export interface ComposeLabels {
  readMore: string;
  sources: string;
}

/** A reply as one plain text and its choices, before the platform's limits apply. */
export interface Composed {
  text: string;
  choices: Choice[];
}

export function compose(reply: Reply, labels: ComposeLabels): Composed {
  const parts = [reply.title ? `${reply.title}\n${reply.text}` : reply.text];
  if (reply.sources?.length) {
    const list = reply.sources.slice(0, 3).map((s) => `• ${s.title}: ${s.url}`);
    parts.push(`${labels.sources}:\n${list.join('\n')}`);
  }
  const choices = [...(reply.choices ?? [])];
  // The article body is offered as a button: the platform shows it as a new message.
  if (reply.more && reply.topicId) {
    choices.unshift({ label: labels.readMore, payload: `more:${reply.topicId}` });
  }
  return { text: markdownToPlain(parts.join('\n\n')), choices };
}

/** Markdown as people read it in a chat app: no markers, links written out. */
export function markdownToPlain(md: string): string {
  return md
    .replace(/\[([^\]]+)\]\((\S+?)\)/g, '$1 ($2)')
    .replace(/^#{1,6}\s+/gm, '')
    .replace(/(\*\*|__)(.+?)\1/g, '$2')
    .replace(/^\s*[-*]\s+/gm, '• ')
    .replace(/`([^`]+)`/g, '$1')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/**
 * Splits text into pieces of at most `limit` characters (UTF-16 units, which
 * is how the platforms count), preferring paragraph, then sentence, then word
 * boundaries; a single word longer than the limit is cut.
 */
export function splitText(text: string, limit: number): string[] {
  const pieces: string[] = [];
  let rest = text.trim();
  while (rest.length > limit) {
    const window = rest.slice(0, limit + 1);
    const cut =
      lastBreak(window, /\n\s*\n/g) ??
      lastBreak(window, /[.!?…。](?=\s)/g, 1) ??
      lastBreak(window, /\s/g) ??
      limit;
    pieces.push(rest.slice(0, cut).trim());
    rest = rest.slice(cut).trim();
  }
  if (rest) pieces.push(rest);
  return pieces;
}

/** The last match of `re` in `window` at or before its end, as a cut position (not at 0). */
function lastBreak(window: string, re: RegExp, keep = 0): number | undefined {
  let at: number | undefined;
  for (const m of window.matchAll(re)) {
    const cut = m.index + keep;
    if (cut > 0 && cut <= window.length - 1) at = cut;
  }
  return at;
}

/**
 * Keeps at most `max` choices with labels of at most `labelLimit` characters.
 * "Talk to a person" is never the one dropped: it is the way out of every answer.
 */
export function fitChoices(choices: Choice[], max: number, labelLimit: number): Choice[] {
  const person = choices.find((c) => c.payload === 'cmd:person');
  let kept = choices.slice(0, max);
  if (person && !kept.includes(person)) kept = [...kept.slice(0, max - 1), person];
  return kept.map((c) => ({ payload: c.payload, label: shorten(c.label, labelLimit) }));
}

export function shorten(label: string, limit: number): string {
  const chars = [...label];
  return chars.length <= limit
    ? label
    : `${chars
        .slice(0, limit - 1)
        .join('')
        .trimEnd()}…`;
}
