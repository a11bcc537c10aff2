import { createHash, randomBytes } from 'node:crypto';
import type { Counsellor, Role } from '../core/handoff-types.js';
import type { Store } from '../store/store.js';
import { verifyPassword } from './passwords.js';

const hashToken = (token: string) => createHash('sha256').update(token).digest('base64url');

/** Sessions that just ended: one (sign-out) or all of a counsellor's (revocation). */
export type SessionsEnded = { sessionKey: string } | { counsellorId: string };

/**
 * Counsellor sessions: a random bearer token, stored only as its hash, that
 * expires. Logging in with a wrong name or password takes the same time as a
 * right one (a dummy hash is checked), so names cannot be probed. Ending
 * sessions is announced to listeners, so live sockets opened with them close
 * too instead of receiving events until they disconnect on their own.
 */
export function createConsoleAuth(
  store: Store,
  sessionHours: number,
  now: () => Date = () => new Date(),
) {
  const dummy =
    'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';
  const failures = createFailureCounter(now);
  const listeners = new Set<(ended: SessionsEnded) => void>();
  const announce = (ended: SessionsEnded) => {
    for (const listener of listeners) listener(ended);
  };
  return {
    /**
     * A session for a right name and password; `{ lockedSeconds }` after too many
     * failures for this name or from this address (counted in this process).
     */
    async login(
      username: string,
      password: string,
      address = '',
    ): Promise<
      | { lockedSeconds: number }
      | { token: string; expiresAt: Date; counsellor: Counsellor }
      | undefined
    > {
      const keys = [`user:${username.toLowerCase()}`, `ip:${address}`];
      const locked = failures.lockedSeconds(keys);
      if (locked > 0) return { lockedSeconds: locked };
      const counsellor = await store.findCounsellor(username);
      const ok = await verifyPassword(password, counsellor?.passwordHash ?? dummy);
      if (!counsellor || !ok) {
        failures.fail(keys);
        return undefined;
      }
      failures.clear(keys[0] as string);
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
      announce({ sessionKey: hashToken(token) });
    },
    /**
     * Ends every session of a counsellor ("sign out everywhere", or a
     * supervisor's revocation): their next API call gets 401 and their live
     * sockets are closed. A password change or a deactivation, when such flows
     * exist, must call this too. Returns how many sessions ended.
     */
    async revokeAll(counsellorId: string): Promise<number> {
      const ended = await store.deleteSessionsOf(counsellorId);
      announce({ counsellorId });
      return ended;
    },
    /** What a session is known by outside this module: its hash, never the token. */
    sessionKey: (token: string) => hashToken(token),
    /** Called whenever sessions end; returns a function that stops listening. */
    onSessionsEnded(listener: (ended: SessionsEnded) => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export type ConsoleAuth = ReturnType<typeof createConsoleAuth>;

/** Failed sign-ins allowed per name, and per address, in LOCK_WINDOW_MS before a lockout. */
const LIMITS = { user: 5, ip: 20 };
const LOCK_WINDOW_MS = 15 * 60_000;

/**
 * Brute-force protection: too many wrong passwords for one name (or from one
 * address) lock further tries for the rest of a 15-minute window. In memory
 * per instance: an attacker spreading tries over N instances gets N times the
 * tries, still far too few to guess a long password.
 */
function createFailureCounter(now: () => Date) {
  const seen = new Map<string, { count: number; since: number }>();
  const limit = (key: string) => (key.startsWith('user:') ? LIMITS.user : LIMITS.ip);
  const current = (key: string) => {
    const entry = seen.get(key);
    if (entry && now().getTime() - entry.since >= LOCK_WINDOW_MS) seen.delete(key);
    return seen.get(key);
  };
  return {
    lockedSeconds(keys: string[]): number {
      let wait = 0;
      for (const key of keys) {
        const entry = current(key);
        if (entry && entry.count >= limit(key)) {
          wait = Math.max(wait, Math.ceil((entry.since + LOCK_WINDOW_MS - now().getTime()) / 1000));
        }
      }
      return wait;
    },
    fail(keys: string[]) {
      for (const key of keys) {
        const entry = current(key) ?? { count: 0, since: now().getTime() };
        entry.count++;
        seen.set(key, entry);
      }
      // Bounded memory under a flood of made-up names.
      if (seen.size > 50_000) seen.clear();
    },
    clear(key: string) {
      seen.delete(key);
    },
  };
}

export const ROLE_RANK: Record<Role, number> = { counsellor: 0, supervisor: 1, admin: 2 };
