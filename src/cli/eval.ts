/**
 * npm run eval -- IN.jsonl OUT.jsonl
 * Answers each line {"id","text","lang"?} in a fresh conversation and writes
 * {"id","intent","topics","urgency","reply"} per line. Other tools read this
 * format: keep it stable.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { loadConfig } from '../config.js';
import { repliesAsText } from '../engine/replies.js';
import { assembleEngine, type Content, loadContent } from '../load-content.js';
import { createSqliteStore } from '../store/sqlite/sqlite-store.js';

export interface EvalOutput {
  id: string;
  intent: string;
  topics: string[];
  urgency: string;
  reply: string;
}

/**
 * Runs the engine over input lines; bad lines get an error row and do not stop the run.
 * `content` replaces the configured content (the cross-author report passes a model
 * trained without the authors it scores).
 */
export async function runEval(
  lines: AsyncIterable<string>,
  write: (row: object) => void,
  given?: Content,
): Promise<number> {
  const config = loadConfig();
  const content = given ?? loadContent(config.CONTENT_DIR, config.DEFAULT_LOCALE);
  const { knowledge } = content;
  const store = createSqliteStore(':memory:');
  const { engine } = assembleEngine({ store, content, maxMessageChars: config.MAX_MESSAGE_CHARS });
  let n = 0;
  let lineNo = 0;
  for await (const line of lines) {
    lineNo++;
    if (line.trim() === '') continue;
    let input: { id?: unknown; text?: unknown; lang?: unknown };
    try {
      input = JSON.parse(line);
    } catch {
      process.stderr.write(`line ${lineNo}: not JSON, skipped\n`);
      continue;
    }
    if (typeof input.id !== 'string' || typeof input.text !== 'string') {
      process.stderr.write(`line ${lineNo}: needs string "id" and "text", skipped\n`);
      continue;
    }
    const result = await engine.handle({
      channel: 'eval',
      userId: `eval-${lineNo}-${input.id}`,
      messageId: `eval-${lineNo}`,
      text: input.text,
      ...(typeof input.lang === 'string' ? { localeHint: input.lang } : {}),
      receivedAt: new Date(),
    });
    const row: EvalOutput = {
      id: input.id,
      intent: result.intent,
      topics: result.topics,
      urgency: result.urgency,
      reply: repliesAsText(result.replies),
    };
    write(row);
    n++;
  }
  await store.close();
  return n;
}

async function main() {
  const [inPath, outPath] = process.argv.slice(2);
  if (!inPath || !outPath) {
    process.stderr.write('usage: npm run eval -- IN.jsonl OUT.jsonl\n');
    process.exit(2);
  }
  const out = createWriteStream(outPath);
  const lines = createInterface({
    input: createReadStream(inPath),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  const n = await runEval(lines, (row) => out.write(`${JSON.stringify(row)}\n`));
  await new Promise<void>((done) => out.end(done));
  process.stderr.write(`${n} messages answered → ${outPath}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
