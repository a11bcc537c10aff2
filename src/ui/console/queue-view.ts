import type { Ticket } from './api.js';
import { button, el, minutesSeconds } from './dom.js';
import type { Strings } from './strings.js';

/** One row per ticket: level as colour AND text, waiting time, channel, language, signals, preview. */
export function renderQueue(
  s: Strings,
  tickets: Ticket[],
  actionLabel: string,
  onAction: (t: Ticket) => void,
  emptyText: string = s.empty,
): HTMLElement {
  if (tickets.length === 0) return el('p', { class: 'empty', text: emptyText });
  const head = el(
    'tr',
    {},
    ...['', s.waiting, s.channel, s.language, s.signals, ''].map((h) =>
      el('th', { text: h, attrs: { scope: 'col' } }),
    ),
  );
  const rows = tickets.map((t) =>
    el(
      'tr',
      { class: `level-${t.level}`, attrs: { 'data-ticket': t.id } },
      el('td', {}, el('span', { class: `badge ${t.level}`, text: s.level[t.level] })),
      el('td', {
        class: 'wait',
        text: minutesSeconds(waitedSeconds(t)),
        attrs: { 'data-opened': t.openedAt },
      }),
      el('td', { text: t.channel }),
      el('td', { text: t.locale }),
      el(
        'td',
        {},
        el('div', {
          class: 'signals',
          text: t.signals.map((x) => `${x.label} («${x.words}»)`).join('; '),
        }),
        el('div', { class: 'preview', text: t.preview ?? '' }),
      ),
      el(
        'td',
        {},
        button(actionLabel, () => onAction(t)),
      ),
    ),
  );
  return el('table', { class: 'queue' }, el('thead', {}, head), el('tbody', {}, ...rows));
}

export function waitedSeconds(t: Ticket): number {
  const end = t.claimedAt ? new Date(t.claimedAt).getTime() : Date.now();
  return (end - new Date(t.openedAt).getTime()) / 1000;
}

/** Keeps the waiting times ticking without redrawing the table. */
export function tickWaits(root: HTMLElement): void {
  for (const cell of root.querySelectorAll<HTMLElement>('td.wait[data-opened]')) {
    cell.textContent = minutesSeconds(
      (Date.now() - new Date(cell.dataset.opened as string).getTime()) / 1000,
    );
  }
}
