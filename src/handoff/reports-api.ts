import { type Request, type Response, Router } from 'express';
import type { GapEntry, GapGroup, ReportField, ReportQuery } from '../core/report-types.js';
import type { Store } from '../store/store.js';
import type { ConsoleAuth } from './console-auth.js';
import { fail, requireAuth, requireRole } from './console-http.js';

/** The tables of a report: what each groups, and over which events. */
const TABLES: Record<string, { kind: ReportQuery['kind']; field: ReportField }> = {
  outcomes: { kind: 'ticket', field: 'outcome' },
  'outcome-details': { kind: 'ticket', field: 'detail' },
  'caller-types': { kind: 'ticket', field: 'callerType' },
  genders: { kind: 'ticket', field: 'gender' },
  regions: { kind: 'ticket', field: 'region' },
  provinces: { kind: 'ticket', field: 'province' },
  agencies: { kind: 'ticket', field: 'agency' },
  escalations: { kind: 'ticket', field: 'urgency' },
  intents: { kind: 'turn', field: 'intent' },
  topics: { kind: 'turn', field: 'topic' },
  languages: { kind: 'turn', field: 'locale' },
};

function period(
  req: Request,
  res: Response,
): { from: Date; to: Date; channel?: string } | undefined {
  const day = /^\d{4}-\d{2}-\d{2}$/;
  const from = String(req.query.from ?? '');
  const to = String(req.query.to ?? '');
  if (!day.test(from) || !day.test(to)) {
    fail(res, 400, 'bad_request', 'from and to must be dates like 2026-11-01');
    return undefined;
  }
  const start = new Date(`${from}T00:00:00Z`);
  const end = new Date(new Date(`${to}T00:00:00Z`).getTime() + 24 * 3600_000);
  if (end <= start) {
    fail(res, 400, 'bad_request', 'to must not be before from');
    return undefined;
  }
  const channel =
    typeof req.query.channel === 'string' && req.query.channel ? req.query.channel : undefined;
  return { from: start, to: end, ...(channel ? { channel } : {}) };
}

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0
    ? null
    : (sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number);

/**
 * The figures the hotline publishes, for supervisors: every table for a period
 * and channel, the median and 90th-percentile wait to a counsellor, and CSV.
 */
/** A readable name for a counted key (an article title, a province name), in a language. */
export type ReportLabel = (field: ReportField, key: string, locale: string) => string | undefined;

/** Groups unanswered questions by similarity (given by the composition root: knowledge/gaps.ts). */
export type GroupGaps = (gaps: GapEntry[]) => GapGroup[];

export function createReportsApi(deps: {
  store: Store;
  auth: ConsoleAuth;
  label?: ReportLabel;
  groupGaps?: GroupGaps;
}): Router {
  const { store } = deps;
  const lang = (req: Request) =>
    /^[a-z]{2,3}$/.test(String(req.query.lang)) ? String(req.query.lang) : 'vi';
  /** Rows with their readable label where content has one (ids stay, for CSV and links). */
  const labelled = (
    field: ReportField,
    rows: { key: string; count: number }[],
    locale: string,
  ): { key: string; count: number; label?: string }[] =>
    rows.map((r) => {
      const label = deps.label?.(field, r.key, locale);
      return label ? { ...r, label } : r;
    });
  const router = Router();
  router.use('/reports', requireAuth(deps.auth), requireRole('supervisor'));

  router.get('/reports', async (req, res) => {
    const p = period(req, res);
    if (!p) return;
    // One query per kind of event for every table: fast even where the server scans.
    const byKind = {
      turn: await store.countAllEvents({ ...p, kind: 'turn' }),
      ticket: await store.countAllEvents({ ...p, kind: 'ticket' }),
    };
    const tables: Record<string, { key: string; count: number; label?: string }[]> = {};
    for (const [name, t] of Object.entries(TABLES))
      tables[name] = labelled(t.field, byKind[t.kind][t.field] ?? [], lang(req));
    const waits = (await store.waitTimes({ ...p, kind: 'ticket' })).sort((a, b) => a - b);
    res.json({
      from: p.from,
      to: p.to,
      channel: p.channel ?? null,
      tables,
      wait: {
        cases: waits.length,
        medianSeconds: percentile(waits, 0.5),
        p90Seconds: percentile(waits, 0.9),
      },
    });
  });

  // The content editors' review list: what people asked that the bot could not answer.
  router.get('/reports/gaps', async (req, res) => {
    const p = period(req, res);
    if (!p) return;
    const gaps = (await store.listGaps(p.from, p.to)).filter(
      (g) => !p.channel || g.channel === p.channel,
    );
    const groups = deps.groupGaps?.(gaps) ?? [];
    res.json({ total: gaps.length, groups: groups.slice(0, 100) });
  });

  router.get('/reports/:table.csv', async (req, res) => {
    const t = TABLES[String(req.params.table)];
    if (!t)
      return fail(
        res,
        404,
        'not_found',
        `no table "${req.params.table}"; tables: ${Object.keys(TABLES).join(', ')}`,
      );
    const p = period(req, res);
    if (!p) return;
    const rows = labelled(
      t.field,
      await store.countEvents({ ...p, kind: t.kind }, t.field),
      lang(req),
    );
    const quote = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
    res.type('text/csv; charset=utf-8');
    res.set('Content-Disposition', `attachment; filename="${req.params.table}.csv"`);
    const lines = rows.map((r) => `${quote(r.key)},${quote(r.label ?? r.key)},${r.count}`);
    res.send(`${t.field},label,count\n${lines.join('\n')}\n`);
  });
  return router;
}
