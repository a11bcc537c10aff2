import { call } from './api.js';
import { el } from './dom.js';
import type { Strings } from './strings.js';

interface Overview {
  online: { displayName: string; languages: string[] }[];
  inProgress: number;
  waiting: number;
  overdue: { id: string; level: string }[];
  unservedLanguages: { locale: string; waiting: number; emergencies: number }[];
  emergenciesToday: {
    total: number;
    takenWithinTarget: number;
    share: number | null;
    targetSeconds: number;
  };
}

/** For supervisors: who is online, chats in progress, tickets past target, emergencies taken in time today. */
export async function renderOverview(s: Strings): Promise<HTMLElement> {
  const o = await call<Overview>('GET', '/overview');
  const e = o.emergenciesToday;
  // A language nobody online speaks is a staffing problem the supervisor can act on now.
  const unserved = o.unservedLanguages
    .map(
      (u) =>
        `${u.locale}: ${u.waiting}${u.emergencies ? ` (${u.emergencies} ${s.emergenciesShort})` : ''}`,
    )
    .join('; ');
  const share =
    e.share === null
      ? '—'
      : `${Math.round(e.share * 100)}% (${e.takenWithinTarget}/${e.total}, ≤ ${e.targetSeconds / 60} min)`;
  return el(
    'section',
    { class: 'panel overview', attrs: { 'aria-label': s.overview } },
    el('h2', { text: s.overview }),
    el(
      'dl',
      {},
      el('dt', { text: s.onlineNow }),
      el('dd', {
        text: o.online.map((c) => `${c.displayName} (${c.languages.join(', ')})`).join('; ') || '—',
      }),
      el('dt', { text: s.inProgress }),
      el('dd', { text: String(o.inProgress) }),
      el('dt', { text: s.overdue }),
      el('dd', { class: o.overdue.length ? 'alert' : '', text: String(o.overdue.length) }),
      el('dt', { text: s.unservedLanguages }),
      el('dd', { class: unserved ? 'alert' : '', text: unserved || '—' }),
      el('dt', { text: s.emergencyShare }),
      el('dd', { text: share }),
    ),
  );
}
