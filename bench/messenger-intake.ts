/**
 * npm run bench:messenger — webhook intake end to end on Messenger: 200
 * concurrent senders each post signed webhooks to the real service (SQLite,
 * real engine, outbox) and wait until the answer lands at the Messenger fake.
 * The service runs in its own process (bench/messenger-target.ts), as does,
 * in the same run, a bare express server that only checks the signature and
 * answers 200 takes the same load. Prints messages per second and p99 for
 * both; the target is at least half the bare server's rate.
 */
import { fork } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { startMessengerFake } from '../test/fakes/messenger-fake.js';

const SENDERS = Number(process.env.SENDERS ?? 200);
const PER_SENDER = Number(process.env.PER_SENDER ?? 10);
const questions = [
  'đường dây nóng 111 là gì',
  'cong ty giu ho chieu cua em thi lam sao',
  'việc nhẹ lương cao ở campuchia có thật không',
  'menu',
  'how do I check a recruitment agency licence',
];

interface Figures {
  perSecond: number;
  p50: number;
  p90: number;
  p99: number;
}

function figures(latencies: number[], seconds: number): Figures {
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? 0;
  return { perSecond: latencies.length / seconds, p50: at(0.5), p90: at(0.9), p99: at(0.99) };
}

/** Each sender sends its messages one after another: post, then wait for `done`. */
async function load(send: (sender: number, i: number) => Promise<void>): Promise<Figures> {
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: SENDERS }, async (_, sender) => {
      for (let i = 0; i < PER_SENDER; i++) {
        const t = performance.now();
        await send(sender, i);
        latencies.push(performance.now() - t);
      }
    }),
  );
  return figures(latencies, (performance.now() - started) / 1000);
}

/** Starts bench/messenger-target.ts in its own process; resolves with its first message. */
async function target(kind: 'service' | 'bare' | 'graph', env: Record<string, string>) {
  const profile = process.env.PROFILE === kind ? ['--cpu-prof', '--cpu-prof-dir=/tmp/prof'] : [];
  const child = fork(fileURLToPath(new URL('./messenger-target.ts', import.meta.url)), [kind], {
    execArgv: ['--import', 'tsx', ...profile],
    env: { ...process.env, LOG_LEVEL: 'silent', SENDERS: String(SENDERS), ...env },
  });
  const first = await new Promise<{ url: string; graphVersion?: string }>((resolve, reject) => {
    child.once('message', (m) => resolve(m as { url: string }));
    child.once('exit', (code) => reject(new Error(`${kind} exited with ${code}`)));
  });
  return { ...first, child, stop: () => child.disconnect() };
}

async function main() {
  // This process only signs and posts webhooks (the same work for both targets); the
  // fake's Graph API, which receives the service's answers, runs in a process of its own.
  const fake = await startMessengerFake({ webhookRetries: 0 });
  const graph = await target('graph', {});
  const waiting = new Map<string, () => void>();
  let rejected = 0;
  graph.child.on('message', (m) => {
    if (typeof m === 'string') waiting.get(m)?.();
    else rejected = (m as { rejected: number }).rejected ?? rejected;
  });
  const env = {
    MESSENGER_APP_SECRET: fake.appSecret,
    MESSENGER_PAGE_ACCESS_TOKEN: fake.pageAccessToken,
    MESSENGER_VERIFY_TOKEN: fake.verifyToken,
    MESSENGER_GRAPH_URL: graph.url,
    MESSENGER_GRAPH_VERSION: graph.graphVersion ?? 'v25.0',
  };
  const service = await target('service', env);
  const plain = await target('bare', env);
  const hook = `${service.url}/webhooks/messenger`;

  const bareFigures = await load(async (sender, i) => {
    const res = await fake.deliver(`${plain.url}/webhooks/messenger`, [
      fake.text(`bare-${sender}`, questions[i % 5] as string),
    ]);
    if (res.status !== 200) throw new Error(`bare server answered ${res.status}`);
  });

  const ours = await load(async (sender, i) => {
    const psid = `psid-${sender}`;
    const answered = new Promise<void>((resolve) => waiting.set(psid, resolve));
    const res = await fake.deliver(hook, [fake.text(psid, questions[(sender + i) % 5] as string)]);
    if (res.status !== 200) throw new Error(`service answered ${res.status}`);
    await answered;
  });

  const row = (name: string, f: Figures) =>
    `${name.padEnd(44)} ${f.perSecond.toFixed(0).padStart(7)} msg/s   p50 ${f.p50.toFixed(1).padStart(7)} ms   p90 ${f.p90.toFixed(1).padStart(7)} ms   p99 ${f.p99.toFixed(1).padStart(7)} ms`;
  console.log(`Messenger webhook intake, ${SENDERS} concurrent senders × ${PER_SENDER} messages`);
  console.log(row('bare express (verify signature, 200)', bareFigures));
  console.log(row('Safe Journey (verify → turn → outbox → fake)', ours));
  const ratio = ours.perSecond / bareFigures.perSecond;
  console.log(
    `ratio ${(ratio * 100).toFixed(0)}% of the bare rate (target ≥ 50%): ${ratio >= 0.5 ? 'met' : 'NOT met'}`,
  );
  console.log(`refused by the fake: ${rejected}`);

  plain.stop();
  service.stop();
  graph.stop();
  await fake.close();
}

await main();
