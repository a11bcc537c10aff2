/**
 * npm run counsellor:add -- USERNAME --name "Display Name" [--role admin|supervisor|counsellor] [--lang vi,en]
 * --lang lists the languages the counsellor speaks (any locale code, e.g. vi,hmn):
 * "help next" prefers tickets in them, and supervisors see languages nobody online speaks.
 * They can be changed later with PUT /api/console/counsellors/:id/languages.
 * Creates a counsellor account in the configured store. The password is read
 * from the COUNSELLOR_PASSWORD environment variable or typed at the prompt
 * (never as an argument, so it stays out of shell history).
 */
import { createInterface } from 'node:readline/promises';
import { z } from 'zod';
import { loadConfig } from '../config.js';
import { hashPassword } from '../handoff/passwords.js';
import { createSqliteStore } from '../store/sqlite/sqlite-store.js';

const argsSchema = z.object({
  username: z
    .string()
    .regex(/^[a-z0-9._-]{3,40}$/, 'username: 3-40 lower-case letters, digits, . _ -'),
  name: z.string().min(1).max(80),
  role: z.enum(['counsellor', 'supervisor', 'admin']),
  lang: z.array(z.string().regex(/^[a-z]{2,3}$/)).min(1),
});

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

async function main() {
  const args = process.argv.slice(2);
  const parsed = argsSchema.safeParse({
    username: args[0],
    name: option(args, 'name') ?? args[0],
    role: option(args, 'role') ?? 'admin',
    lang: (option(args, 'lang') ?? 'vi').split(','),
  });
  if (!parsed.success) {
    console.error(`counsellor:add: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
    console.error(
      'usage: npm run counsellor:add -- USERNAME --name "Display Name" [--role admin] [--lang vi,en]',
    );
    process.exit(2);
  }
  let password = process.env.COUNSELLOR_PASSWORD;
  if (!password) {
    const rl = createInterface({ input: process.stdin, output: process.stdout });
    password = await rl.question('Password (at least 12 characters): ');
    rl.close();
  }
  if (!password || password.length < 12) {
    console.error('counsellor:add: the password must have at least 12 characters');
    process.exit(2);
  }
  const config = loadConfig();
  const store = createSqliteStore(config.databaseFile);
  try {
    if (await store.findCounsellor(parsed.data.username)) {
      console.error(`counsellor:add: "${parsed.data.username}" already exists`);
      process.exit(1);
    }
    const c = await store.createCounsellor({
      username: parsed.data.username,
      displayName: parsed.data.name,
      role: parsed.data.role,
      passwordHash: await hashPassword(password),
      languages: parsed.data.lang,
    });
    console.log(`created ${c.role} "${c.username}" (${c.displayName})`);
  } finally {
    await store.close();
  }
}

void main();
