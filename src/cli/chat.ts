/**
 * npm run chat — talk to the engine in the terminal. Choices are numbered:
 * type the number to press one. Nothing is written to disk.
 */
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { loadConfig } from '../config.js';
import type { Choice, Reply } from '../core/types.js';
import { assembleEngine, loadContent } from '../load-content.js';
import { createSqliteStore } from '../store/sqlite/sqlite-store.js';

function show(reply: Reply): Choice[] {
  if (reply.title) console.log(`\n## ${reply.title}`);
  console.log(reply.text);
  for (const s of reply.sources ?? []) console.log(`  [source] ${s.title} — ${s.url}`);
  (reply.choices ?? []).forEach((c, i) => {
    console.log(`  ${i + 1}. ${c.label}`);
  });
  return reply.choices ?? [];
}

async function main() {
  const config = loadConfig();
  const content = loadContent(config.CONTENT_DIR, config.DEFAULT_LOCALE);
  const { knowledge } = content;
  const store = createSqliteStore(':memory:');
  const { engine } = assembleEngine({ store, content, maxMessageChars: config.MAX_MESSAGE_CHARS });
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  const m = knowledge.messages(config.DEFAULT_LOCALE);
  let choices = show({ text: m.greeting, choices: m.menu });
  console.log('(Ctrl+D to quit)');
  process.stdout.write('\n> ');
  try {
    for await (const line of rl) {
      const picked = /^\d+$/.test(line.trim()) ? choices[Number(line.trim()) - 1] : undefined;
      const result = await engine.handle({
        channel: 'cli',
        userId: 'terminal',
        messageId: randomUUID(),
        text: picked?.label ?? line,
        ...(picked ? { choice: picked.payload } : {}),
        receivedAt: new Date(),
      });
      console.log(
        `[${result.intent}${result.topics.length ? `: ${result.topics.join(', ')}` : ''}]`,
      );
      choices = result.replies.flatMap(show);
      process.stdout.write('\n> ');
    }
  } finally {
    rl.close();
    await store.close();
  }
}

void main();
