import { call, type Message, type Ticket } from './api.js';
import {
  cannedPicker,
  directoryPanel,
  transferPicker,
  type Undelivered,
  undeliveredBanner,
  type WindowInfo,
  windowBanner,
} from './chat-tools.js';
import { button, el, minutesSeconds } from './dom.js';
import type { Strings } from './strings.js';

interface ChatData {
  ticket: Ticket;
  conversation: { locale: string; channel: string; urgency: string };
  messages: Message[];
  window: WindowInfo;
  undelivered: Undelivered[];
}

/** A claimed chat: handover summary, transcript, reply box, suggestions, and close. */
export async function renderChat(
  s: Strings,
  ticketId: string,
  onDone: () => void,
  onTyping: (ticketId: string) => void = () => undefined,
): Promise<HTMLElement> {
  const data = await call<ChatData>('GET', `/tickets/${ticketId}`);
  const { ticket } = data;
  const topics = [
    ...new Set(data.messages.map((m) => m.reply?.topicId).filter((x): x is string => !!x)),
  ];
  const waited =
    ticket.claimedAt !== undefined
      ? (new Date(ticket.claimedAt).getTime() - new Date(ticket.openedAt).getTime()) / 1000
      : 0;
  const summary = el(
    'section',
    { class: 'summary', attrs: { 'aria-label': s.summary } },
    el('h2', { text: s.summary }),
    el(
      'dl',
      {},
      el('dt', { text: s.language }),
      el('dd', { text: data.conversation.locale }),
      el('dt', { text: s.channel }),
      el('dd', { text: ticket.channel }),
      el('dt', { text: s.levelLabel }),
      el('dd', {}, el('span', { class: `badge ${ticket.level}`, text: s.level[ticket.level] })),
      el('dt', { text: s.signals }),
      el('dd', { text: ticket.signals.map((x) => `${x.label} («${x.words}»)`).join('; ') || '—' }),
      el('dt', { text: s.topics }),
      el('dd', { text: topics.join(', ') || '—' }),
      el('dt', { text: s.waited }),
      el('dd', { text: minutesSeconds(waited) }),
    ),
  );

  const log = el('ol', {
    class: 'transcript',
    attrs: { 'aria-label': s.transcript, 'aria-live': 'polite' },
  });
  const add = (who: 'user' | 'bot' | 'you', text: string) =>
    log.append(
      el(
        'li',
        { class: who },
        el('span', { class: 'who', text: `${s[who]}: ` }),
        el('span', { text }),
      ),
    );
  for (const m of data.messages) {
    add(
      m.direction === 'in' ? 'user' : m.reply?.title && !m.reply.topicId ? 'you' : 'bot',
      m.reply?.text ?? m.text,
    );
  }

  const box = el('textarea', { attrs: { 'aria-label': s.reply, rows: '3', placeholder: s.reply } });
  const send = async () => {
    const text = box.value.trim();
    if (!text) return;
    await call('POST', `/tickets/${ticketId}/messages`, { text });
    add('you', text);
    box.value = '';
  };
  // Tell the person someone is typing, at most every two seconds.
  let lastTyping = 0;
  box.addEventListener('input', () => {
    if (Date.now() - lastTyping > 2000) {
      lastTyping = Date.now();
      onTyping(ticketId);
    }
  });
  box.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      void send();
    }
  });

  const lastUser = [...data.messages].reverse().find((m) => m.direction === 'in')?.text ?? '';
  const suggestions = el(
    'section',
    { class: 'suggestions', attrs: { 'aria-label': s.suggestions } },
    el('h3', { text: s.suggestions }),
  );
  const found = await call<{ suggestions: { topicId: string; title: string; short: string }[] }>(
    'GET',
    `/suggestions?q=${encodeURIComponent(lastUser)}&locale=${encodeURIComponent(data.conversation.locale)}`,
  );
  for (const sug of found.suggestions) {
    suggestions.append(
      el(
        'div',
        { class: 'suggestion' },
        el('strong', { text: sug.title }),
        el('p', { text: sug.short }),
        button(s.insert, () => {
          box.value = box.value ? `${box.value}\n${sug.short}` : sug.short;
          box.focus();
        }),
      ),
    );
  }

  const kind = el('select', { attrs: { 'aria-label': s.outcome } });
  for (const [value, label] of Object.entries(s.kinds))
    kind.append(el('option', { text: label, attrs: { value } }));
  const detail = el('select', { attrs: { 'aria-label': s.detail } });
  for (const [value, label] of Object.entries(s.details))
    detail.append(el('option', { text: label, attrs: { value } }));
  const agency = el('input', { attrs: { 'aria-label': s.agency, placeholder: s.agency } });
  const notes = el('input', { attrs: { 'aria-label': s.notes, placeholder: s.notes } });
  const options = (label: string, values: Record<string, string>) => {
    const select = el('select', { attrs: { 'aria-label': label } });
    for (const [value, text] of Object.entries(values))
      select.append(el('option', { text, attrs: { value } }));
    return select;
  };
  const callerType = options(s.callerType, s.callerTypes);
  const gender = options(s.gender, s.genders);
  const province = el('input', { attrs: { 'aria-label': s.province, placeholder: s.province } });
  const error = el('p', { class: 'error', attrs: { role: 'alert' } });
  const close = button(
    s.close,
    async () => {
      try {
        await call('POST', `/tickets/${ticketId}/close`, {
          kind: kind.value,
          detail: detail.value,
          ...(agency.value ? { agency: agency.value } : {}),
          ...(notes.value ? { notes: notes.value } : {}),
          profile: {
            ...(callerType.value ? { callerType: callerType.value } : {}),
            ...(gender.value ? { gender: gender.value } : {}),
            ...(province.value ? { province: province.value } : {}),
          },
        });
        onDone();
      } catch (e) {
        error.textContent = (e as Error).message;
      }
    },
    'primary',
  );
  const release = button(s.release, async () => {
    await call('POST', `/tickets/${ticketId}/release`);
    onDone();
  });

  const undelivered = undeliveredBanner(s, data.undelivered ?? []);
  const view = el(
    'section',
    {
      class: 'chat',
      attrs: { 'data-ticket': ticketId, 'data-conversation': ticket.conversationId },
    },
    summary,
    windowBanner(s, data.window),
    undelivered,
    el(
      'div',
      { class: 'chat-main' },
      log,
      el('div', {}, suggestions, directoryPanel(s, data.conversation.locale)),
    ),
    el(
      'div',
      { class: 'reply' },
      box,
      button(s.send, () => void send(), 'primary'),
    ),
    el(
      'div',
      { class: 'tools' },
      await cannedPicker(s, data.conversation.locale, box),
      await transferPicker(s, ticketId, onDone),
      release,
    ),
    el(
      'fieldset',
      { class: 'close' },
      el('legend', { text: s.outcome }),
      kind,
      detail,
      agency,
      notes,
      callerType,
      gender,
      province,
      close,
      error,
    ),
  );
  (view as HTMLElement & { addUserMessage?: (t: string) => void }).addUserMessage = (t: string) =>
    add('user', t);
  return view;
}
