import { type Response, Router } from 'express';
import { z } from 'zod';
import type { Ticket } from '../core/handoff-types.js';
import type { Store } from '../store/store.js';
import type { ConsoleAuth } from './console-auth.js';
import { body, fail, requireAuth, tokenOf, who } from './console-http.js';
import type { ActionResult, Handoff } from './handoff.js';
import { replyWindow } from './reply-window.js';

const loginSchema = z.object({
  username: z.string().min(1).max(100),
  password: z.string().min(1).max(200),
});
const availabilitySchema = z.object({ available: z.boolean() });
const messageSchema = z.object({ text: z.string().trim().min(1).max(4000) });
const transferSchema = z.object({ to: z.string().min(1).max(100) });
const closeSchema = z
  .object({
    kind: z.enum(['information', 'counselling', 'referral']),
    detail: z
      .enum(['psychological', 'policy', 'services', 'rescue', 'support', 'none'])
      .default('none'),
    agency: z.string().max(200).optional(),
    notes: z.string().max(4000).optional(),
    profile: z
      .object({
        callerType: z.enum(['self', 'relative-or-friend', 'other']).optional(),
        gender: z.enum(['female', 'male', 'other']).optional(),
        province: z.string().max(80).optional(),
      })
      .optional(),
  })
  .refine(
    (o) => o.kind !== 'counselling' || ['psychological', 'policy', 'services'].includes(o.detail),
    {
      message: 'counselling needs detail psychological, policy or services',
    },
  )
  .refine(
    (o) => o.kind !== 'referral' || (['rescue', 'support'].includes(o.detail) && !!o.agency),
    {
      message: 'referral needs detail rescue or support, and the agency referred to',
    },
  );

/** A curated answer a counsellor can insert into a reply. */
export interface Suggestion {
  topicId: string;
  title: string;
  short: string;
}

const CODES: Record<number, string> = { 403: 'forbidden', 404: 'not_found', 409: 'conflict' };

/**
 * The counsellor REST API under /api/console/. Every call but login needs a
 * bearer token; a bad body gets 400 with what is wrong, a missing or expired
 * session 401, a forbidden action 403, and none of them changes anything.
 */
export function createConsoleApi(deps: {
  store: Store;
  handoff: Handoff;
  auth: ConsoleAuth;
  /** Knowledge-base suggestions for a message (given by the composition root). */
  suggest?: (text: string, locale: string) => Suggestion[];
}): Router {
  const { store, handoff, auth } = deps;
  const router = Router();

  const reply = (res: Response, result: ActionResult) => {
    if (result.ok) res.json({ ticket: result.ticket });
    else fail(res, result.status, CODES[result.status] ?? 'error', result.message);
  };

  async function row(t: Ticket, now: number) {
    const messages = await store.listMessages(t.conversationId, 20);
    const lastIn = [...messages].reverse().find((m) => m.direction === 'in');
    return {
      ...t,
      waitingSeconds: Math.round(
        ((t.claimedAt ?? new Date(now)).getTime() - t.openedAt.getTime()) / 1000,
      ),
      preview: lastIn ? lastIn.text.slice(0, 80) : '',
    };
  }

  router.post('/login', body(loginSchema), async (req, res) => {
    const session = await auth.login(req.body.username, req.body.password, req.ip ?? '');
    if (!session) return fail(res, 401, 'unauthorised', 'wrong username or password');
    if ('lockedSeconds' in session) {
      res.set('Retry-After', String(session.lockedSeconds));
      const minutes = Math.ceil(session.lockedSeconds / 60);
      return fail(res, 429, 'locked', `too many failed sign-ins; try again in ${minutes} minutes`);
    }
    const { passwordHash: _, ...counsellor } = session.counsellor;
    res.json({ token: session.token, expiresAt: session.expiresAt, counsellor });
  });

  router.use(requireAuth(auth));

  router.post('/logout', async (req, res) => {
    await auth.logout(tokenOf(req));
    res.status(204).end();
  });

  router.get('/suggestions', (req, res) => {
    const q = typeof req.query.q === 'string' ? req.query.q.slice(0, 2000) : '';
    const locale = typeof req.query.locale === 'string' ? req.query.locale : 'vi';
    res.json({ suggestions: q && deps.suggest ? deps.suggest(q, locale) : [] });
  });

  router.get('/me', (req, res) => {
    const { passwordHash: _, ...counsellor } = who(req);
    res.json({ counsellor });
  });

  /** "Sign out everywhere": every session of mine ends, this one included, and my sockets close. */
  router.post('/me/sessions/revoke', async (req, res) => {
    const me = who(req);
    const revoked = await auth.revokeAll(me.id);
    await store.recordAudit({ at: new Date(), counsellorId: me.id, action: 'revoke-sessions' });
    res.json({ revoked });
  });

  router.put('/me/availability', body(availabilitySchema), async (req, res) => {
    await store.setAvailability(who(req).id, req.body.available);
    res.json({ available: req.body.available });
  });

  /** The queue as it is ordered, plus claimed chats: a counsellor's own, or everyone's for a supervisor. */
  router.get('/queue', async (req, res) => {
    const me = who(req);
    const now = Date.now();
    const queued = await handoff.queue();
    const claimed = (await store.listOpenTickets()).filter(
      (t) => t.status === 'claimed' && (me.role !== 'counsellor' || t.ownerId === me.id),
    );
    res.json({
      queued: await Promise.all(queued.map((t) => row(t, now))),
      claimed: await Promise.all(claimed.map((t) => row(t, now))),
      online: await handoff.online(),
    });
  });

  router.post('/queue/next', async (req, res) => reply(res, await handoff.claimNext(who(req))));

  router.get('/tickets/:id', async (req, res) => {
    const me = who(req);
    const ticket = await store.getTicket(String(req.params.id));
    if (!ticket) return fail(res, 404, 'not_found', 'no such ticket');
    if (me.role === 'counsellor' && ticket.status !== 'queued' && ticket.ownerId !== me.id) {
      return fail(res, 403, 'forbidden', 'this chat belongs to another counsellor');
    }
    await store.recordAudit({
      at: new Date(),
      counsellorId: me.id,
      action: 'read-transcript',
      ticketId: ticket.id,
      conversationId: ticket.conversationId,
    });
    const conversation = await store.getConversation(ticket.conversationId);
    const messages = await store.listMessages(ticket.conversationId);
    const lastIn = [...messages].reverse().find((m) => m.direction === 'in');
    const window = replyWindow(ticket.channel, lastIn?.createdAt, new Date());
    // Messages the platform refused or that expired unsent: the counsellor must know.
    const undelivered = (await store.undelivered(ticket.conversationId)).map((i) => ({
      at: i.createdAt,
      status: i.status,
      reason: i.error ?? 'unknown',
    }));
    res.json({ ticket, conversation, messages, window, undelivered });
  });

  router.post('/tickets/:id/claim', async (req, res) =>
    reply(res, await handoff.claim(String(req.params.id), who(req))),
  );
  router.post('/tickets/:id/release', async (req, res) =>
    reply(res, await handoff.release(String(req.params.id), who(req))),
  );
  router.post('/tickets/:id/messages', body(messageSchema), async (req, res) =>
    reply(res, await handoff.counsellorMessage(String(req.params.id), who(req), req.body.text)),
  );
  router.post('/tickets/:id/transfer', body(transferSchema), async (req, res) => {
    const to = await store.findCounsellor(req.body.to);
    if (!to) return fail(res, 400, 'bad_request', `to: no counsellor named "${req.body.to}"`);
    reply(res, await handoff.transfer(String(req.params.id), who(req), to));
  });
  router.post('/tickets/:id/follow-up', body(z.object({ keep: z.boolean() })), async (req, res) => {
    const me = who(req);
    const ticket = await store.getTicket(String(req.params.id));
    if (!ticket) return fail(res, 404, 'not_found', 'no such ticket');
    if (me.role === 'counsellor' && ticket.ownerId !== me.id) {
      return fail(
        res,
        403,
        'forbidden',
        'only the counsellor who took this chat (or a supervisor) may do that',
      );
    }
    await store.setFollowUp(ticket.conversationId, req.body.keep);
    await store.recordAudit({
      at: new Date(),
      counsellorId: me.id,
      action: req.body.keep ? 'keep-for-follow-up' : 'release-follow-up',
      ticketId: ticket.id,
      conversationId: ticket.conversationId,
    });
    res.json({ keep: req.body.keep });
  });

  router.post('/tickets/:id/close', body(closeSchema), async (req, res) =>
    reply(res, await handoff.close(String(req.params.id), who(req), req.body)),
  );

  return router;
}
