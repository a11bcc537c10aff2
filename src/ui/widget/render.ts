import type { Strings } from './strings.js';

/** The server's reply shape (see src/core/types.ts `Reply`). */
export interface Reply {
  text: string;
  title?: string;
  more?: string;
  sources?: { title: string; url: string; publisher?: string }[];
  choices?: { label: string; payload: string }[];
}

export interface WidgetMessage {
  from: 'user' | 'bot';
  text: string;
  reply?: Reply;
}

/** Builds an element with text only: nothing from the server ever becomes HTML. */
function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  text?: string,
  cls?: string,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (cls) node.className = cls;
  return node;
}

/** Markdown shown as plain text: headings and emphasis marks removed, lists kept as lines. */
function plain(markdown: string): string {
  return markdown
    .replace(/^#{1,6}\s*/gm, '')
    .replace(/\*\*(.+?)\*\*/g, '$1')
    .replace(/^\s*[-*]\s+/gm, '• ')
    .trim();
}

export function renderMessage(
  m: WidgetMessage,
  s: Strings,
  onChoice: (label: string, payload: string) => void,
  interactive: boolean,
): HTMLElement {
  const box = el('div', undefined, `msg ${m.from}`);
  box.append(el('span', `${m.from === 'user' ? s.you : s.bot}: `, 'sr-only'));
  const r = m.reply;
  if (r?.title) box.append(el('h3', r.title));
  box.append(el('div', r?.text ?? m.text));
  if (r?.more) {
    const details = el('details');
    details.append(el('summary', s.readMore), el('div', plain(r.more)));
    box.append(details);
  }
  if (r?.sources?.length) {
    const list = el('ul', undefined, 'sources');
    list.setAttribute('aria-label', s.sources);
    for (const src of r.sources) {
      const item = el('li');
      const link = el('a', src.publisher ? `${src.title} (${src.publisher})` : src.title);
      if (/^https?:\/\//.test(src.url)) link.href = src.url;
      link.target = '_blank';
      link.rel = 'noopener noreferrer';
      item.append(link);
      list.append(item);
    }
    box.append(el('div', `${s.sources}:`), list);
  }
  if (interactive && r?.choices?.length) {
    const group = el('div', undefined, 'choices');
    group.setAttribute('role', 'group');
    for (const c of r.choices) {
      const button = el('button', c.label);
      button.type = 'button';
      button.addEventListener('click', () => onChoice(c.label, c.payload));
      group.append(button);
    }
    box.append(group);
  }
  return box;
}
