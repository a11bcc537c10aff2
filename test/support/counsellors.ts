import { createHash, randomBytes } from 'node:crypto';
import type { Counsellor, Role } from '../../src/core/handoff-types.js';
import type { Store } from '../../src/store/store.js';

/** A counsellor with a live session, written straight to the store (one real login is tested on its own). */
export async function signedInCounsellor(
  store: Store,
  username: string,
  role: Role = 'counsellor',
  passwordHash = 'not-a-real-hash',
): Promise<Counsellor & { token: string }> {
  const c = await store.createCounsellor({
    username,
    displayName: `Cô ${username}`,
    role,
    passwordHash,
    languages: ['vi'],
  });
  const token = randomBytes(24).toString('base64url');
  await store.createSession({
    token: createHash('sha256').update(token).digest('base64url'),
    counsellorId: c.id,
    expiresAt: new Date(Date.now() + 3600_000),
  });
  return { ...c, token };
}

/** The counsellor API over real HTTP, as a signed-in counsellor (or anonymously). */
export function consoleApi(baseUrl: string, token?: string) {
  return async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${baseUrl}/api/console${path}`, {
      method,
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      ...(body === undefined
        ? {}
        : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    return { status: res.status, body: res.status === 204 ? {} : await res.json() };
  };
}
