import { createHash } from 'node:crypto';
import { PlatformError } from '../../core/errors.js';
import type { ChannelState } from '../channel.js';
import type { FreshTokens } from './zalo-client.js';

/**
 * Zalo's rotating OA tokens (reference §1.2): a 25 h access token and a
 * single-use refresh token; every refresh kills the old refresh token. So the
 * current pair lives in the shared channel state, is written there before it is
 * used, and only one refresh runs at a time: one per process (a shared
 * promise) and one across instances (a lease on the state).
 */

const KEY = 'zalo-tokens';
const LEASE = 'zalo-refresh';
const HOUR = 3600_000;

/** The pair as stored. `seed` tells which configured refresh token it descends from. */
interface TokenPair {
  accessToken: string;
  refreshToken: string;
  /** Epoch ms when the access token expires. */
  expiresAt: number;
  lifetimeMs: number;
  seed: string;
}

export interface ZaloTokenOptions {
  state: ChannelState;
  /** The refresh token from the configuration; used only when nothing of it is stored yet. */
  initialRefreshToken: string;
  /** One call to the OAuth endpoint (zalo-client.ts refreshTokens). */
  refresh(refreshToken: string): Promise<FreshTokens>;
  /** How long to wait for another instance's refresh before giving up (default 5 s). */
  leaseWaitMs?: number;
  now?: () => number;
}

export interface ZaloTokens {
  /** A usable access token; refreshed first when little of its lifetime is left. */
  accessToken(): Promise<string>;
  /** After Zalo refused `stale` (-216/-220): a newer token, refreshed at most once for all callers. */
  renew(stale: string): Promise<string>;
}

export function createZaloTokens(o: ZaloTokenOptions): ZaloTokens {
  const now = o.now ?? Date.now;
  // A hash, not the token: tells a new ZALO_REFRESH_TOKEN (an admin consented again) from the one we started with.
  const seed = createHash('sha256').update(o.initialRefreshToken).digest('hex').slice(0, 16);
  let pair: TokenPair | undefined;
  let flight: Promise<TokenPair> | undefined;

  /** Reference §1.2 says refresh "around 20 h" of 25: when under 20 % (at most 5 h) is left. */
  function due(p: TokenPair): boolean {
    return p.expiresAt - now() < Math.min(0.2 * p.lifetimeMs, 5 * HOUR);
  }
  const usable = (p: TokenPair, stale?: string): boolean => p.accessToken !== stale && !due(p);

  async function load(): Promise<TokenPair | undefined> {
    const p = (await o.state.get(KEY)) as Partial<TokenPair> | undefined;
    const valid =
      typeof p?.accessToken === 'string' &&
      typeof p.refreshToken === 'string' &&
      typeof p.expiresAt === 'number' &&
      typeof p.lifetimeMs === 'number';
    return valid && p.seed === seed ? (p as TokenPair) : undefined;
  }

  /** Under the lease: read again (another instance may have refreshed), else refresh and store. */
  async function refreshLeased(stale?: string): Promise<TokenPair> {
    const stored = await load();
    if (stored && usable(stored, stale)) return stored;
    const fresh = await o.refresh(stored?.refreshToken ?? o.initialRefreshToken);
    const next: TokenPair = {
      accessToken: fresh.accessToken,
      refreshToken: fresh.refreshToken,
      expiresAt: now() + fresh.lifetimeMs,
      lifetimeMs: fresh.lifetimeMs,
      seed,
    };
    // Stored before use: the old refresh token is already dead, a crash must not lose this one.
    await o.state.put(KEY, next);
    return next;
  }

  /** Another instance holds the lease: it is refreshing; wait for its pair to appear. */
  async function awaitOther(stale?: string): Promise<TokenPair> {
    const deadline = now() + (o.leaseWaitMs ?? 5000);
    while (now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      const stored = await load();
      if (stored && usable(stored, stale)) return stored;
    }
    // Retryable: the other instance's refresh will most likely have finished by the next try.
    throw new PlatformError('zalo', 0, 'auth', 'refresh_busy', true);
  }

  async function obtain(stale?: string): Promise<TokenPair> {
    const stored = await load();
    if (stored && usable(stored, stale)) return stored;
    return (
      (await o.state.exclusive(LEASE, () => refreshLeased(stale))) ?? (await awaitOther(stale))
    );
  }

  /** One refresh or load per process at a time; every caller gets its result. */
  function update(stale?: string): Promise<TokenPair> {
    flight ??= obtain(stale)
      .then((p) => {
        pair = p;
        return p;
      })
      .finally(() => {
        flight = undefined;
      });
    return flight;
  }

  return {
    async accessToken() {
      return (pair && usable(pair) ? pair : await update(pair?.accessToken)).accessToken;
    },
    async renew(stale) {
      // Another send may already have renewed it.
      if (pair && usable(pair, stale)) return pair.accessToken;
      return (await update(stale)).accessToken;
    },
  };
}
