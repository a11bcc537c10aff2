import type { IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';
import type { Express } from 'express';

/**
 * Express's `trust proxy` as we accept it: off, every hop, a number of hops,
 * or a list of proxy addresses, CIDR ranges and the presets `loopback`,
 * `linklocal` and `uniquelocal`.
 */
export type TrustProxy = boolean | number | string[];

type TrustFn = (address: string, hop: number) => boolean;
interface ProxyAddr {
  (req: IncomingMessage, trust: TrustFn): string;
  compile(values: string[]): TrustFn;
}

// The very proxy-addr that express itself uses (resolved from express, not from our own
// dependency list): a socket's client address is then computed exactly as `req.ip` is.
const fromExpress = createRequire(createRequire(import.meta.url).resolve('express'));
const proxyaddr = fromExpress('proxy-addr') as ProxyAddr;

/**
 * Reads TRUST_PROXY. Behind a reverse proxy every request comes from the
 * proxy's address, so per-address limits and the sign-in lockout would treat
 * all people as one; trusting the proxy makes X-Forwarded-For count, and only
 * then (a client reaching us directly could write any X-Forwarded-For).
 * Throws with a reason for anything express would not understand.
 */
export function parseTrustProxy(raw: string): TrustProxy {
  const value = raw.trim();
  if (value === '' || value === 'false') return false;
  if (value === 'true') return true;
  if (/^\d+$/.test(value)) return Number(value);
  const list = value.split(',').map((v) => v.trim());
  if (list.includes('')) throw new Error(`"${raw}" has an empty entry (a stray comma?)`);
  try {
    // The same compilation express does on app.set: what passes here works there.
    proxyaddr.compile(list);
  } catch (error) {
    throw new Error(
      `"${raw}" is not false, true, a number of hops, or a comma-separated list of ` +
        `loopback, linklocal, uniquelocal, IP addresses and CIDR ranges (${(error as Error).message})`,
    );
  }
  return list;
}

/**
 * The client's address for a raw request (a Socket.IO handshake) under the
 * app's `trust proxy` setting: what `req.ip` would be for the same request.
 */
export function clientAddressFor(app: Express): (req: IncomingMessage) => string {
  return (req) => proxyaddr(req, app.get('trust proxy fn') as TrustFn);
}
