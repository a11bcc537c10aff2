import { Router } from 'express';
import { z } from 'zod';
import type { Store } from '../store/store.js';
import { type ConsoleAuth, ROLE_RANK } from './console-auth.js';
import { body, fail, requireAuth, requireRole, who } from './console-http.js';
import { overdue, type QueueSettings, unservedLanguages } from './queue.js';

/** The referral directory as the console searches it (given by the composition root). */
export type DirectorySearch = (q: { province?: string; need?: string; locale: string }) => unknown;

const languagesSchema = z.object({
  languages: z
    .array(z.string().regex(/^[a-z]{2,3}$/, 'a language code such as vi, en, km, hmn'))
    .min(1)
    .max(20),
});

const cannedSchema = z.object({
  locale: z.string().regex(/^[a-z]{2,3}$/),
  title: z.string().trim().min(1).max(80),
  text: z.string().trim().min(1).max(2000),
});

/**
 * The team side of the counsellor API: colleagues (for transfers), canned
 * replies (everyone reads, supervisors edit), the referral directory, and the
 * supervisor's overview.
 */
export function createTeamApi(deps: {
  store: Store;
  auth: ConsoleAuth;
  settings: QueueSettings;
  directory?: DirectorySearch;
  /** The languages that have content, each under its own name (given by the composition root). */
  locales?: { code: string; name: string }[];
  now?: () => Date;
}): Router {
  const { store, settings } = deps;
  const now = deps.now ?? (() => new Date());
  const router = Router();
  router.use(requireAuth(deps.auth));

  router.get('/counsellors', async (_req, res) => {
    const all = await store.listCounsellors();
    res.json({
      counsellors: all.map(({ passwordHash: _, ...c }) => c),
    });
  });

  /** The languages a counsellor speaks: their own, or anyone's for a supervisor. */
  router.put('/counsellors/:id/languages', body(languagesSchema), async (req, res) => {
    const me = who(req);
    const id = String(req.params.id);
    if (me.role === 'counsellor' && me.id !== id)
      return fail(res, 403, 'forbidden', 'only a supervisor may change a colleague’s languages');
    if (!(await store.getCounsellor(id))) return fail(res, 404, 'not_found', 'no such counsellor');
    const languages = [...new Set<string>(req.body.languages)];
    await store.setLanguages(id, languages);
    res.json({ languages });
  });

  /**
   * A supervisor ends all of a colleague's sessions (a lost laptop, a shared PC
   * left signed in, someone leaving). Nobody may do it to a higher role: a
   * supervisor cannot keep signing an admin out.
   */
  router.post('/counsellors/:id/sessions/revoke', requireRole('supervisor'), async (req, res) => {
    const me = who(req);
    const target = await store.getCounsellor(String(req.params.id));
    if (!target) return fail(res, 404, 'not_found', 'no such counsellor');
    if (ROLE_RANK[target.role] > ROLE_RANK[me.role])
      return fail(res, 403, 'forbidden', 'only an admin may sign out an admin');
    const revoked = await deps.auth.revokeAll(target.id);
    await store.recordAudit({
      at: now(),
      counsellorId: me.id,
      action: `revoke-sessions:${target.id}`,
    });
    res.json({ revoked });
  });

  router.get('/locales', (_req, res) => {
    res.json({ locales: deps.locales ?? [] });
  });

  router.get('/canned', async (_req, res) => {
    res.json({ replies: await store.listCannedReplies() });
  });
  router.post('/canned', requireRole('supervisor'), body(cannedSchema), async (req, res) => {
    res
      .status(201)
      .json({ reply: await store.saveCannedReply({ ...req.body, updatedBy: who(req).id }) });
  });
  router.put('/canned/:id', requireRole('supervisor'), body(cannedSchema), async (req, res) => {
    const id = String(req.params.id);
    if (!(await store.listCannedReplies()).some((r) => r.id === id))
      return fail(res, 404, 'not_found', 'no such reply');
    res.json({ reply: await store.saveCannedReply({ ...req.body, id, updatedBy: who(req).id }) });
  });
  router.delete('/canned/:id', requireRole('supervisor'), async (req, res) => {
    if (!(await store.deleteCannedReply(String(req.params.id))))
      return fail(res, 404, 'not_found', 'no such reply');
    res.status(204).end();
  });

  router.get('/directory', (req, res) => {
    const q = (name: string) =>
      typeof req.query[name] === 'string' ? String(req.query[name]).slice(0, 80) : undefined;
    const province = q('province');
    const need = q('need');
    res.json(
      deps.directory?.({
        ...(province ? { province } : {}),
        ...(need ? { need } : {}),
        locale: q('locale') ?? 'vi',
      }) ?? { agencies: [] },
    );
  });

  /** An admin answers a person's request: everything about one conversation, or its deletion (audited). */
  router.get('/admin/conversations/:id/export', requireRole('admin'), async (req, res) => {
    const id = String(req.params.id);
    const conversation = await store.getConversation(id);
    if (!conversation) return fail(res, 404, 'not_found', 'no such conversation');
    await store.recordAudit({
      at: now(),
      counsellorId: who(req).id,
      action: 'export-conversation',
      conversationId: id,
    });
    res.set('Content-Disposition', `attachment; filename="conversation-${id}.json"`);
    res.json({
      conversation,
      messages: await store.listMessages(id, 100_000),
      ticket: (await store.openTicketFor(id)) ?? null,
    });
  });
  router.delete('/admin/conversations/:id', requireRole('admin'), async (req, res) => {
    const id = String(req.params.id);
    if (!(await store.getConversation(id)))
      return fail(res, 404, 'not_found', 'no such conversation');
    await store.deleteConversation(id);
    await store.recordAudit({
      at: now(),
      counsellorId: who(req).id,
      action: 'delete-conversation',
      conversationId: id,
    });
    res.status(204).end();
  });

  /**
   * Who is online, chats in progress, tickets past their target, languages
   * people wait in that nobody online speaks, and today's
   * share of emergencies taken within the target (Crisis Text Line's bar: 94%
   * of high-risk texters within 5 minutes).
   */
  router.get('/overview', requireRole('supervisor'), async (_req, res) => {
    const at = now();
    const startOfDay = new Date(at);
    startOfDay.setHours(0, 0, 0, 0);
    const open = await store.listOpenTickets();
    const today = (await store.listTicketsOpenedSince(startOfDay)).filter(
      (t) => t.level === 'emergency',
    );
    const target = settings.targetSeconds.emergency * 1000;
    const online = (await store.listCounsellors()).filter((c) => c.available);
    const inTime = today.filter(
      (t) => t.claimedAt && t.claimedAt.getTime() - t.openedAt.getTime() <= target,
    );
    res.json({
      online: online.map((c) => ({ id: c.id, displayName: c.displayName, languages: c.languages })),
      /** Languages people wait in while nobody online speaks them. */
      unservedLanguages: unservedLanguages(open, online),
      inProgress: open.filter((t) => t.status === 'claimed').length,
      waiting: open.filter((t) => t.status === 'queued').length,
      overdue: overdue(open, at, settings).map((t) => ({
        id: t.id,
        level: t.level,
        openedAt: t.openedAt,
      })),
      emergenciesToday: {
        total: today.length,
        takenWithinTarget: inTime.length,
        share: today.length === 0 ? null : inTime.length / today.length,
        targetSeconds: settings.targetSeconds.emergency,
      },
    });
  });

  return router;
}
