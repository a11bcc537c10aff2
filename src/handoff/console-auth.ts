import { createHash, randomBytes } from 'node:crypto';
import type { Counsellor, Role } from '../core/handoff-types.js';
import type { Store } from '../store/store.js';
import { verifyPassword } from './passwords.js';

const hashToken = (token: string) => createHash('sha256').update(token).digest('base64url');

/**
 * Counsellor sessions: a random bearer token, stored only as its hash, that
 * expires. Logging in with a wrong name or password takes the same time as a
 * right one (a dummy hash is checked), so names cannot be probed.
 */
export function createConsoleAuth(
  store: Store,
  sessionHours: number,
  now: () => Date = () => new Date(),
) {
  const dummy =
    'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';
  return {
    async login(username: string, password: string) {
      const counsellor = await store.findCounsellor(username);
      const ok = await verifyPassword(password, counsellor?.passwordHash ?? dummy);
      if (!counsellor || !ok) return undefined;
      const token = randomBytes(32).toString('base64url');
      const expiresAt = new Date(now().getTime() + sessionHours * 3600_000);
      await store.createSession({
        token: hashToken(token),
        counsellorId: counsellor.id,
        expiresAt,
      });
      return { token, expiresAt, counsellor };
    },
    /** The counsellor behind a token, or undefined when it is unknown or expired. */
    async authenticate(token: string | undefined): Promise<Counsellor | undefined> {
      if (!token) return undefined;
      const session = await store.getSession(hashToken(token));
      if (!session) return undefined;
      if (session.expiresAt.getTime() <= now().getTime()) {
        await store.deleteSession(hashToken(token));
        return undefined;
      }
      return store.getCounsellor(session.counsellorId);
    },
    async logout(token: string) {
      await store.deleteSession(hashToken(token));
    },
  };
}

export type ConsoleAuth = ReturnType<typeof createConsoleAuth>;

export const ROLE_RANK: Record<Role, number> = { counsellor: 0, supervisor: 1, admin: 2 };
