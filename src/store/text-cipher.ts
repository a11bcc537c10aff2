import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * Message text at rest, sealed with AES-256-GCM (Node's own crypto). Each
 * value carries the id of its key, so a new key can be introduced while old
 * rows stay readable with the previous one (rotation: set MESSAGE_KEY to the
 * new key and MESSAGE_KEY_PREVIOUS to the old; a later re-write moves rows over).
 */
export interface TextCipher {
  seal(plain: string): string;
  open(sealed: string): string;
}

const PREFIX = 'sj1';
const keyId = (key: Buffer) => createHash('sha256').update(key).digest('hex').slice(0, 8);

export function parseKey(base64: string, name: string): Buffer {
  const key = Buffer.from(base64, 'base64');
  if (key.length !== 32)
    throw new Error(`${name} must be 32 bytes in base64 (openssl rand -base64 32)`);
  return key;
}

export function createTextCipher(current: Buffer, previous: Buffer[] = []): TextCipher {
  const keys = new Map([current, ...previous].map((k) => [keyId(k), k]));
  const currentId = keyId(current);
  return {
    seal(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', current, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return [
        PREFIX,
        currentId,
        iv.toString('base64'),
        cipher.getAuthTag().toString('base64'),
        body.toString('base64'),
      ].join('.');
    },
    open(sealed) {
      const [prefix, id, iv, tag, body] = sealed.split('.');
      // Rows written before encryption was switched on are read as they are.
      if (prefix !== PREFIX || !id || !iv || !tag || body === undefined) return sealed;
      const key = keys.get(id);
      if (!key) throw new Error(`no key for stored data (key id ${id}): set MESSAGE_KEY_PREVIOUS`);
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
      decipher.setAuthTag(Buffer.from(tag, 'base64'));
      return Buffer.concat([
        decipher.update(Buffer.from(body, 'base64')),
        decipher.final(),
      ]).toString('utf8');
    },
  };
}

/** Leaves text as it is: for throwaway in-memory stores (eval, terminal chat). */
export const noCipher: TextCipher = { seal: (s) => s, open: (s) => s };
