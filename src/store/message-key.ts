import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { createTextCipher, parseKey, type TextCipher } from './text-cipher.js';

/**
 * The key that seals message text at rest. Set MESSAGE_KEY (32 bytes, base64)
 * in production. With the embedded SQLite store and no key, one is made once
 * in DATA_DIR (readable by this user only), so a fresh clone is encrypted by
 * default too; with MongoDB the key must come from the environment, because
 * several instances must share it.
 */
export function messageCipher(opts: {
  key?: string;
  previous?: string;
  keyFile?: string;
  required: boolean;
}): TextCipher {
  const previous = (opts.previous ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean)
    .map((k) => parseKey(k, 'MESSAGE_KEY_PREVIOUS'));
  if (opts.key) return createTextCipher(parseKey(opts.key, 'MESSAGE_KEY'), previous);
  if (opts.required || !opts.keyFile) {
    throw new Error(
      'MESSAGE_KEY is required with MONGODB_URI (openssl rand -base64 32), the same on every instance',
    );
  }
  if (!existsSync(opts.keyFile)) {
    mkdirSync(dirname(opts.keyFile), { recursive: true });
    writeFileSync(opts.keyFile, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
  }
  return createTextCipher(
    parseKey(readFileSync(opts.keyFile, 'utf8').trim(), opts.keyFile),
    previous,
  );
}
