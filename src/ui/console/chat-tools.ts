import { call } from './api.js';
import { button, el, minutesSeconds } from './dom.js';
import type { Strings } from './strings.js';

export interface WindowInfo {
  limited: boolean;
  state: 'open' | 'closing' | 'closed';
  closesAt?: string;
}

/** The reply window of channels that limit it (Messenger, Zalo): a countdown, then a clear closed state. */
export function windowBanner(s: Strings, w: WindowInfo): HTMLElement | null {
  if (!w.limited) return null;
  const banner = el('p', { class: `window ${w.state}`, attrs: { role: 'status' } });
  const update = () => {
    const left = w.closesAt ? (new Date(w.closesAt).getTime() - Date.now()) / 1000 : 0;
    banner.textContent =
      left > 0
        ? `${s.windowOpen} ${Math.floor(left / 3600)} h ${minutesSeconds(left % 3600)}`
        : s.windowClosed;
    banner.className = `window ${left > 0 ? w.state : 'closed'}`;
  };
  update();
  const timer = setInterval(() => (banner.isConnected ? update() : clearInterval(timer)), 1000);
  return banner;
}

export interface Undelivered {
  at: string;
  status: 'failed' | 'expired';
  reason: string;
}

/**
 * Messages the platform refused or that expired unsent. The counsellor must
 * know the person did not get them (blocked, window closed), so it is a visible alert.
 */
export function undeliveredBanner(s: Strings, items: Undelivered[]): HTMLElement {
  const box = el('div', { class: 'undelivered', attrs: { role: 'alert' } });
  const add = (reason: string, at: string) => {
    const why = s.undeliveredReasons[reason] ?? s.undeliveredReasons.other;
    const time = new Date(at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    box.append(el('p', { text: `${s.undelivered} (${time}): ${why}` }));
  };
  for (const item of items.slice(0, 5))
    add(item.status === 'expired' ? 'expired' : item.reason, item.at);
  (box as HTMLElement & { add?: typeof add }).add = add;
  return box;
}

/** Canned replies: pick one to insert into the reply box. */
export async function cannedPicker(
  s: Strings,
  locale: string,
  box: HTMLTextAreaElement,
): Promise<HTMLElement> {
  const { replies } = await call<{
    replies: { id: string; locale: string; title: string; text: string }[];
  }>('GET', '/canned');
  const select = el(
    'select',
    { attrs: { 'aria-label': s.canned } },
    el('option', { text: s.canned, attrs: { value: '' } }),
  );
  for (const r of replies.filter((x) => x.locale === locale))
    select.append(el('option', { text: r.title, attrs: { value: r.id } }));
  select.addEventListener('change', () => {
    const r = replies.find((x) => x.id === select.value);
    if (r) box.value = box.value ? `${box.value}\n${r.text}` : r.text;
    select.value = '';
    box.focus();
  });
  return select;
}

/** Transfer to a colleague who is online. */
export async function transferPicker(
  s: Strings,
  ticketId: string,
  onDone: () => void,
): Promise<HTMLElement> {
  const { counsellors } = await call<{
    counsellors: { username: string; displayName: string; available: boolean }[];
  }>('GET', '/counsellors');
  const me = await call<{ counsellor: { username: string } }>('GET', '/me');
  const select = el(
    'select',
    { attrs: { 'aria-label': s.transferTo } },
    el('option', { text: s.transferTo, attrs: { value: '' } }),
  );
  for (const c of counsellors.filter((x) => x.available && x.username !== me.counsellor.username)) {
    select.append(el('option', { text: c.displayName, attrs: { value: c.username } }));
  }
  select.addEventListener('change', async () => {
    if (!select.value) return;
    await call('POST', `/tickets/${ticketId}/transfer`, { to: select.value });
    onDone();
  });
  return select;
}

/** The referral directory, searchable by province (new or former name) and need. */
export function directoryPanel(s: Strings, locale: string): HTMLElement {
  const province = el('input', { attrs: { 'aria-label': s.province, placeholder: s.province } });
  const need = el('select', { attrs: { 'aria-label': s.need } });
  for (const n of [
    '',
    'rescue',
    'report',
    'shelter',
    'support',
    'legal',
    'medical',
    'abroad',
    'labour',
    'counselling',
  ]) {
    need.append(el('option', { text: n || '—', attrs: { value: n } }));
  }
  const results = el('ul', { class: 'directory-results' });
  const search = async () => {
    const q = new URLSearchParams({
      locale,
      ...(province.value ? { province: province.value } : {}),
      ...(need.value ? { need: need.value } : {}),
    });
    const r = await call<{
      province?: { name: string; former: string[] };
      agencies: { name: string; note?: string; contacts: { value: string; hours: string }[] }[];
    }>('GET', `/directory?${q}`);
    results.replaceChildren(
      ...(r.province
        ? [
            el('li', {
              class: 'province',
              text: `${r.province.name}${r.province.former.length ? ` (${r.province.former.join(', ')})` : ''}`,
            }),
          ]
        : []),
      ...r.agencies.map((a) =>
        el(
          'li',
          {},
          el('strong', { text: a.name }),
          el('div', { text: a.contacts.map((c) => `${c.value} (${c.hours})`).join(' · ') }),
          a.note ? el('div', { class: 'note', text: a.note }) : null,
        ),
      ),
    );
  };
  return el(
    'details',
    { class: 'directory' },
    el('summary', { text: s.directory }),
    province,
    need,
    button(s.search, () => void search()),
    results,
  );
}
