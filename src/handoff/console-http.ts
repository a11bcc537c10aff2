import type { NextFunction, Request, Response } from 'express';
import type { z } from 'zod';
import type { Counsellor, Role } from '../core/handoff-types.js';
import type { ConsoleAuth } from './console-auth.js';
import { ROLE_RANK } from './console-auth.js';

/** Small HTTP helpers shared by the counsellor API routers. */
export function fail(res: Response, status: number, code: string, message: string): void {
  res.status(status).json({ error: { code, message } });
}

type Authed = Request & { counsellor: Counsellor; token: string };
export const who = (req: Request): Counsellor => (req as unknown as Authed).counsellor;
export const tokenOf = (req: Request): string => (req as unknown as Authed).token;

/** Validates the JSON body; a bad one gets 400 naming the field, and the handler never runs. */
export const body =
  <T>(schema: z.ZodType<T>) =>
  (req: Request, res: Response, next: NextFunction) => {
    const parsed = schema.safeParse(req.body ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      fail(
        res,
        400,
        'bad_request',
        `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`,
      );
      return;
    }
    req.body = parsed.data;
    next();
  };

/** A bearer session is required; a missing, unknown or expired one gets 401. */
export const requireAuth =
  (auth: ConsoleAuth) => async (req: Request, res: Response, next: NextFunction) => {
    const token = /^Bearer (\S+)$/.exec(req.get('authorization') ?? '')?.[1];
    const counsellor = await auth.authenticate(token);
    if (!counsellor || !token) {
      fail(res, 401, 'unauthorised', 'sign in first (missing, unknown or expired session)');
      return;
    }
    Object.assign(req, { counsellor, token });
    next();
  };

/** Only this role or a higher one; others get 403. */
export const requireRole = (role: Role) => (req: Request, res: Response, next: NextFunction) => {
  if (ROLE_RANK[who(req).role] < ROLE_RANK[role]) {
    fail(res, 403, 'forbidden', `only a ${role} may do that`);
    return;
  }
  next();
};
