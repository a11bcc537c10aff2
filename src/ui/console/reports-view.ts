import { call, token } from './api.js';
import { button, el, minutesSeconds } from './dom.js';
import { STRINGS, type Strings } from './strings.js';

type Row = { key: string; count: number; label?: string };

interface Report {
  tables: Record<string, Row[]>;
  wait: { cases: number; medianSeconds: number | null; p90Seconds: number | null };
}

/** One table as bars a person can read at a glance, with its CSV. */
function table(s: Strings, name: string, rows: Row[], query: string): HTMLElement {
  const max = Math.max(1, ...rows.map((r) => r.count));
  const total = rows.reduce((sum, r) => sum + r.count, 0);
  const csv = button('CSV', async () => {
    const res = await fetch(`/api/console/reports/${name}.csv?${query}`, {
      headers: { authorization: `Bearer ${token.get()}` },
    });
    const link = el('a', {
      attrs: { href: URL.createObjectURL(await res.blob()), download: `${name}.csv` },
    });
    link.click();
  });
  return el(
    'section',
    {
      class: 'report-table',
      attrs: { 'aria-label': s.reportTables[name as keyof Strings['reportTables']] ?? name },
    },
    el('h3', {
      text: `${s.reportTables[name as keyof Strings['reportTables']] ?? name} (${total})`,
    }),
    csv,
    rows.length === 0
      ? el('p', { class: 'empty', text: '—' })
      : el(
          'table',
          {},
          el(
            'tbody',
            {},
            ...rows.map((r) =>
              el(
                'tr',
                {},
                el('th', { text: keyLabel(s, name, r), attrs: { scope: 'row', title: r.key } }),
                el(
                  'td',
                  {},
                  el('span', {
                    class: 'bar',
                    attrs: { style: `width:${Math.round((100 * r.count) / max)}%` },
                  }),
                ),
                el('td', { class: 'num', text: String(r.count) }),
              ),
            ),
          ),
        ),
  );
}

/** What a person reads for a key: the server's label (titles, provinces), ours for the fixed lists. */
function keyLabel(s: Strings, table: string, r: Row): string {
  if (r.label) return r.label;
  const fixed: Record<string, Record<string, string> | undefined> = {
    outcomes: s.kinds,
    'outcome-details': s.details,
    'caller-types': s.callerTypes,
    genders: s.genders,
  };
  const map = fixed[table] ?? (s.reportKeys[table] as Record<string, string> | undefined);
  const none = s.reportKeys['(none)'] as string;
  return map?.[r.key] ?? (r.key === '(none)' ? none : r.key);
}

interface Gaps {
  total: number;
  groups: {
    count: number;
    examples: string[];
    locales: string[];
    firstSeen: string;
    lastSeen: string;
  }[];
}

/** For content editors: what people asked that the bot could not answer, grouped, newest words. */
function gapList(s: Strings, gaps: Gaps): HTMLElement {
  const day = (d: string) => new Date(d).toLocaleDateString();
  return el(
    'section',
    { class: 'report-gaps', attrs: { 'aria-label': s.gaps } },
    el('h3', { text: `${s.gaps} (${gaps.total})` }),
    gaps.groups.length === 0
      ? el('p', { class: 'empty', text: '—' })
      : el(
          'table',
          {},
          el(
            'tbody',
            {},
            ...gaps.groups.map((g) =>
              el(
                'tr',
                {},
                el('td', { class: 'num', text: String(g.count) }),
                el('td', { text: g.examples.join(' · ') }),
                el('td', {
                  text: `${g.locales.join(', ')} · ${day(g.firstSeen)}–${day(g.lastSeen)}`,
                }),
              ),
            ),
          ),
        ),
  );
}

/** Supervisors: the hotline's figures for a period and channel. */
export function renderReports(s: Strings): HTMLElement {
  const today = new Date().toISOString().slice(0, 10);
  const from = el('input', {
    attrs: { type: 'date', 'aria-label': s.from, value: `${today.slice(0, 8)}01` },
  });
  const to = el('input', { attrs: { type: 'date', 'aria-label': s.to, value: today } });
  const channel = el('select', { attrs: { 'aria-label': s.channel } });
  for (const c of ['', 'web', 'zalo', 'messenger', 'line', 'botframework'])
    channel.append(el('option', { text: c || s.allChannels, attrs: { value: c } }));
  const out = el('div', { class: 'report-body' });
  const show = async () => {
    const q = new URLSearchParams({
      from: from.value,
      to: to.value,
      lang: s === STRINGS.en ? 'en' : 'vi',
      ...(channel.value ? { channel: channel.value } : {}),
    }).toString();
    const r = await call<Report>('GET', `/reports?${q}`);
    const gaps = await call<Gaps>('GET', `/reports/gaps?${q}`);
    const w = r.wait;
    out.replaceChildren(
      el('p', {
        class: 'wait-figures',
        text: `${s.waitFigures}: ${w.cases} · median ${w.medianSeconds === null ? '—' : minutesSeconds(w.medianSeconds)} · p90 ${w.p90Seconds === null ? '—' : minutesSeconds(w.p90Seconds)}`,
      }),
      ...Object.entries(r.tables).map(([name, rows]) => table(s, name, rows, q)),
      gapList(s, gaps),
    );
  };
  const view = el(
    'section',
    { class: 'reports', attrs: { 'aria-label': s.reports } },
    el('h2', { text: s.reports }),
    el(
      'div',
      { class: 'report-filter' },
      from,
      to,
      channel,
      button(s.show, () => void show(), 'primary'),
    ),
    out,
  );
  void show();
  return view;
}
