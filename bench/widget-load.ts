/**
 * npm run bench:widget — the web widget under load: N concurrent Socket.IO
 * clients on `/chat`, each holding a short conversation (3–5 turns, questions
 * taken from the articles' front matter, Vietnamese and English), against the
 * real service (SQLite in a temporary folder, real engine) running in a child
 * process of its own, started fresh for each N. This process is the load
 * generator: one process for all sockets, since the machine's cores are shared
 * by the service and the generator anyway.
 *
 * For each N (argv or N=1000,5000; default both):
 *   1. connect N sockets (250 handshakes in flight), each waiting for its
 *      `history` event; resident memory (VmRSS) of the service before and after,
 *      both after a forced GC, gives memory per connection;
 *   2. every client runs its conversation at once, one turn after another
 *      (waiting for each ack): turns per second at saturation, p50/p99 of the
 *      client-measured ack time;
 *   3. a paced phase: turns sent at a fixed RATE (500/s) spread round-robin over
 *      the connected clients for PACED_SECONDS (10), p50/p99 of the ack time.
 * Also printed: how long the service's event loop was blocked at most during
 * phase 2 (a burst of N simultaneous turns runs as one long stretch of work:
 * Socket.IO's heartbeats stop and clients drop with "ping timeout" once it
 * passes 45 s), and how many sockets dropped. PROFILE=dir writes a CPU profile
 * of the service. Messages are encrypted at rest with a key file, as `npm start`
 * does on SQLite.
 * The widget's per-socket limit (20 messages per 10 s) is respected: a client
 * sends at most 5 turns in phase 2 and RATE × PACED_SECONDS / N in phase 3.
 * The per-address connection limits are lifted in the service (all sockets come
 * from 127.0.0.1), unless WIDGET_CONNECT_RATE_PER_IP_PER_MINUTE or
 * WIDGET_MAX_CONNECTIONS_PER_IP are set in the environment.
 * Targets: 5,000 connected clients under 1 GiB resident; p99 < 50 ms at 500 turns/s.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { io, type Socket } from 'socket.io-client';
import { loadConfig } from '../src/config.js';
import { loadKnowledgeBase } from '../src/knowledge/knowledge-base.js';
import { loadContent } from '../src/load-content.js';
import type { ChatAck } from '../src/server/chat-gateway.js';
import { startServer } from '../src/server/start-server.js';
import { messageCipher } from '../src/store/message-key.js';
import { createSqliteStore } from '../src/store/sqlite/sqlite-store.js';

const RATE = Number(process.env.RATE ?? 500);
const PACED_SECONDS = Number(process.env.PACED_SECONDS ?? 10);
const CONNECTING = Number(process.env.CONNECTING ?? 250);
const ACK_TIMEOUT_MS = 60_000;
const MiB = 1024 * 1024;

type FromService = { url: string } | Memory;
interface Memory {
  /** VmRSS after a forced GC. */
  rss: number;
  heapUsed: number;
  /** CPU time the service has used so far, user + system, in ms. */
  cpuMs: number;
  /** The longest the service's event loop was blocked since the last sample, in ms. */
  loopMaxMs: number;
}

/** The service: what `npm start` runs, on SQLite in a temporary folder, logs off. */
async function service() {
  const send = (message: FromService) => {
    if (process.connected) process.send?.(message);
  };
  const dataDir = mkdtempSync(join(tmpdir(), 'sj-bench-widget-'));
  const config = loadConfig({
    // Every bench socket comes from 127.0.0.1: the per-address widget limits (120 new a
    // minute, 50 open by default) would refuse all but the first few, so they are lifted
    // here unless the environment sets them (to measure the limits themselves).
    WIDGET_CONNECT_RATE_PER_IP_PER_MINUTE: '1000000',
    WIDGET_MAX_CONNECTIONS_PER_IP: '1000000',
    ...process.env,
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
  });
  // Messages encrypted at rest with a key file, as `npm start` does on SQLite.
  const cipher = messageCipher({ keyFile: config.keyFile, required: false });
  const running = await startServer(
    config,
    createSqliteStore(config.databaseFile, { cipher }),
    loadContent(config.CONTENT_DIR, config.DEFAULT_LOCALE),
  );
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  process.on('message', (m) => {
    if (m !== 'rss') return;
    const loopMaxMs = loop.max / 1e6;
    loop.reset();
    // A full collection first, so that the figure is what is held, not garbage.
    (globalThis as { gc?: () => void }).gc?.();
    const cpu = process.cpuUsage();
    send({
      rss: vmRss(process.pid),
      heapUsed: process.memoryUsage().heapUsed,
      cpuMs: (cpu.user + cpu.system) / 1000,
      loopMaxMs,
    });
  });
  process.on('disconnect', async () => {
    await running.stop();
    rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  });
  send({ url: running.url });
}

/** Resident memory of a process in bytes, from /proc/<pid>/status. */
function vmRss(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) * 1024 : Number.NaN;
}

function openFilesLimit(): number {
  const match = /^Max open files\s+(\d+|unlimited)/m.exec(
    readFileSync('/proc/self/limits', 'utf8'),
  );
  return !match || match[1] === 'unlimited' ? Number.POSITIVE_INFINITY : Number(match[1]);
}

interface Target {
  url: string;
  pid: number;
  memory(): Promise<Memory>;
  stop(): Promise<void>;
}

async function startTarget(): Promise<Target> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['service'], {
    // PROFILE=dir: a CPU profile of the service, written to dir when it stops.
    execArgv: [
      '--import',
      'tsx',
      '--expose-gc',
      ...(process.env.PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.PROFILE}`] : []),
    ],
    env: { ...process.env, LOG_LEVEL: 'silent' },
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (m) => resolve((m as { url: string }).url));
    child.once('exit', (code) => reject(new Error(`service exited with ${code}`)));
  });
  return {
    url,
    pid: child.pid as number,
    memory: () =>
      new Promise((resolve) => {
        const on = (m: unknown) => {
          if (typeof m === 'object' && m !== null && 'rss' in m) {
            child.off('message', on);
            resolve(m as Memory);
          }
        };
        child.on('message', on);
        child.send('rss');
      }),
    async stop() {
      child.disconnect();
      await exited;
    },
  };
}

/** Conversations from the articles' own example questions, several topics and both languages. */
function conversations(): string[][] {
  const knowledge = loadKnowledgeBase('content', 'vi');
  const out: string[][] = [];
  for (const topicId of knowledge.topicIds()) {
    for (const locale of ['vi', 'en']) {
      const questions = knowledge.article(topicId, locale)?.questions ?? [];
      if (questions.length < 5) continue;
      // Three conversations per article and language: its questions in different orders.
      for (let c = 0; c < 3; c++) {
        const turns = 3 + (out.length % 3);
        out.push(
          Array.from(
            { length: turns },
            (_, t) => questions[(c + t * 3 + c * t) % questions.length] as string,
          ),
        );
      }
    }
  }
  return out;
}

interface Client {
  socket: Socket;
  /** Message ids are deduplicated per channel, not per person: each client has its own prefix. */
  prefix: string;
  script: string[];
  sent: number;
}

function connect(url: string, index: number): Promise<Client> {
  const session = `bench${randomBytes(12).toString('hex')}${index}`;
  const socket = io(`${url}/chat`, {
    auth: { session, lang: index % 4 === 3 ? 'en' : 'vi' },
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    timeout: ACK_TIMEOUT_MS,
  });
  return new Promise((resolve, reject) => {
    socket.once('history', () =>
      resolve({ socket, prefix: randomBytes(8).toString('hex'), script: [], sent: 0 }),
    );
    socket.once('connect_error', (error) => reject(error));
  });
}

interface Counts {
  latencies: number[];
  errors: Map<string, number>;
}

/** One turn: the next question of this client's conversation; resolves with the ack time. */
function turn(client: Client, counts: Counts): Promise<void> {
  const text = client.script[client.sent % client.script.length] as string;
  const id = `${client.prefix}-${client.sent++}`;
  const started = performance.now();
  return new Promise((resolve) => {
    client.socket
      .timeout(ACK_TIMEOUT_MS)
      .emit('message', { id, text }, (error: Error | null, ack: ChatAck) => {
        // A turn counts only when answered: replies, and not a redelivery.
        const code = error
          ? 'timeout'
          : !ack.ok
            ? ack.error.code
            : ack.duplicate
              ? 'duplicate'
              : ack.replies.length === 0
                ? 'no_reply'
                : undefined;
        if (code) counts.errors.set(code, (counts.errors.get(code) ?? 0) + 1);
        else counts.latencies.push(performance.now() - started);
        resolve();
      });
  });
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? Number.NaN;
}

function describeErrors(errors: Map<string, number>): string {
  return errors.size === 0 ? 'none' : [...errors].map(([k, v]) => `${k} ${v}`).join(', ');
}

const generatorLoop = monitorEventLoopDelay({ resolution: 10 });
generatorLoop.enable();

/** Why sockets dropped during the run (the service's ping timeout, transport close...). */
const dropped = new Map<string, number>();

async function run(n: number, scripts: string[][], figures: string[]) {
  dropped.clear();
  const target = await startTarget();
  const before = await target.memory();

  // 1. Connect.
  const clients: Client[] = [];
  let connectErrors = 0;
  let lastError = '';
  const connectStarted = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(CONNECTING, n) }, async () => {
      while (next < n) {
        const index = next++;
        try {
          const client = await connect(target.url, index);
          client.script = scripts[index % scripts.length] as string[];
          client.socket.on('disconnect', (reason) => {
            if (reason !== 'io client disconnect')
              dropped.set(reason, (dropped.get(reason) ?? 0) + 1);
          });
          clients.push(client);
        } catch (error) {
          connectErrors++;
          lastError = String(error);
        }
      }
    }),
  );
  const connectSeconds = (performance.now() - connectStarted) / 1000;
  const connected = await target.memory();
  console.log(
    `N=${n}: ${clients.length} connected in ${connectSeconds.toFixed(1)} s` +
      (connectErrors ? `, ${connectErrors} failed (last: ${lastError})` : '') +
      `; service RSS ${(before.rss / MiB).toFixed(0)} MiB before, ${(connected.rss / MiB).toFixed(0)} MiB after` +
      ` (V8 heap in use ${(before.heapUsed / MiB).toFixed(0)} → ${(connected.heapUsed / MiB).toFixed(0)} MiB)`,
  );

  // 2. Every client holds its conversation, all at once.
  const burst: Counts = { latencies: [], errors: new Map() };
  const burstCpu = connected.cpuMs;
  generatorLoop.reset();
  const burstStarted = performance.now();
  await Promise.all(
    clients.map(async (client) => {
      for (let t = 0; t < client.script.length; t++) await turn(client, burst);
    }),
  );
  const burstSeconds = (performance.now() - burstStarted) / 1000;
  const burstSorted = [...burst.latencies].sort((a, b) => a - b);
  const afterTurns = await target.memory();
  console.log(
    `N=${n}: ${burst.latencies.length} turns in ${burstSeconds.toFixed(1)} s, errors: ${describeErrors(burst.errors)}; ` +
      `service RSS ${(afterTurns.rss / MiB).toFixed(0)} MiB after the conversations; ` +
      `service busy ${(((afterTurns.cpuMs - burstCpu) / 1000 / burstSeconds) * 100).toFixed(0)}% of one core, ` +
      `event loop blocked up to ${afterTurns.loopMaxMs.toFixed(0)} ms; ` +
      `generator's loop blocked up to ${(generatorLoop.max / 1e6).toFixed(0)} ms`,
  );

  // 3. Paced: RATE turns per second, round-robin over the clients.
  const paced: Counts = { latencies: [], errors: new Map() };
  const pending: Promise<void>[] = [];
  const total = Math.round(RATE * PACED_SECONDS);
  const pacedStarted = performance.now();
  let sent = 0;
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const due = Math.min(total, Math.floor(((performance.now() - pacedStarted) / 1000) * RATE));
      while (sent < due && clients.length > 0) {
        pending.push(turn(clients[sent % clients.length] as Client, paced));
        sent++;
      }
      if (sent >= total || clients.length === 0) {
        clearInterval(tick);
        resolve();
      }
    }, 2);
  });
  const sendSeconds = (performance.now() - pacedStarted) / 1000;
  await Promise.all(pending);
  const pacedSorted = [...paced.latencies].sort((a, b) => a - b);
  const pacedSeconds = (performance.now() - pacedStarted) / 1000;
  const afterPaced = await target.memory();
  console.log(
    `N=${n}: paced ${sent} turns sent in ${sendSeconds.toFixed(1)} s (${(sent / sendSeconds).toFixed(0)}/s), ` +
      `all answered after ${pacedSeconds.toFixed(1)} s, errors: ${describeErrors(paced.errors)}; ` +
      `service busy ${(((afterPaced.cpuMs - afterTurns.cpuMs) / 1000 / pacedSeconds) * 100).toFixed(0)}% of one core`,
  );

  console.log(`N=${n}: sockets dropped before the end: ${describeErrors(dropped)}`);
  for (const client of clients) client.socket.disconnect();
  await target.stop();

  const per = (a: number, b: number) => (clients.length ? (b - a) / clients.length : Number.NaN);
  figures.push(
    `widget_${n}_connected: ${clients.length} clients`,
    `widget_${n}_connect_seconds: ${connectSeconds.toFixed(1)} s`,
    `widget_${n}_rss_idle: ${(before.rss / MiB).toFixed(0)} MiB`,
    `widget_${n}_rss_connected: ${(connected.rss / MiB).toFixed(0)} MiB`,
    `widget_${n}_rss_after_turns: ${(afterTurns.rss / MiB).toFixed(0)} MiB`,
    `widget_${n}_rss_per_connection: ${(per(before.rss, connected.rss) / 1024).toFixed(1)} KiB`,
    `widget_${n}_heap_per_connection: ${(per(before.heapUsed, connected.heapUsed) / 1024).toFixed(1)} KiB`,
    `widget_${n}_turns_per_second: ${(burst.latencies.length / burstSeconds).toFixed(0)} turns/s`,
    `widget_${n}_turn_p50: ${quantile(burstSorted, 0.5).toFixed(1)} ms`,
    `widget_${n}_turn_p99: ${quantile(burstSorted, 0.99).toFixed(1)} ms`,
    `widget_${n}_turn_errors: ${[...burst.errors.values()].reduce((a, b) => a + b, 0)} turns`,
    `widget_${n}_service_loop_blocked_max: ${afterTurns.loopMaxMs.toFixed(0)} ms`,
    `widget_${n}_paced_rate: ${(sent / sendSeconds).toFixed(0)} turns/s`,
    `widget_${n}_paced_p50: ${quantile(pacedSorted, 0.5).toFixed(1)} ms`,
    `widget_${n}_paced_p99: ${quantile(pacedSorted, 0.99).toFixed(1)} ms`,
    `widget_${n}_paced_errors: ${[...paced.errors.values()].reduce((a, b) => a + b, 0)} turns`,
    `widget_${n}_sockets_dropped: ${[...dropped.values()].reduce((a, b) => a + b, 0)} clients`,
  );
  return {
    n,
    connected: clients.length,
    rss: Math.max(connected.rss, afterTurns.rss),
    pacedP99: quantile(pacedSorted, 0.99),
  };
}

async function main() {
  const arg = process.argv[2] ?? process.env.N ?? '1000,5000';
  const sizes = arg.split(',').map((s) => Number(s.trim()));
  if (sizes.some((s) => !Number.isInteger(s) || s < 1)) {
    throw new Error(`N must be positive integers separated by commas, got "${arg}"`);
  }
  const limit = openFilesLimit();
  const largest = Math.max(...sizes);
  if (limit < largest + 200) {
    throw new Error(
      `open files limit is ${limit}, too low for ${largest} sockets: raise it (ulimit -n ${largest * 2 + 1000})`,
    );
  }
  const scripts = conversations();
  console.log(
    `widget load: ${scripts.length} scripted conversations of 3-5 turns; paced phase ${RATE} turns/s for ${PACED_SECONDS} s; ` +
      `open files limit ${limit}; service and load generator share the machine`,
  );
  const figures: string[] = [];
  const results = [];
  for (const n of sizes) results.push(await run(n, scripts, figures));
  for (const r of results) {
    const memoryOk = r.connected === r.n && r.rss < 1024 * MiB;
    const latencyOk = r.pacedP99 < 50;
    console.log(
      `N=${r.n}: ${r.n} connected under 1 GiB: ${memoryOk ? 'met' : 'NOT met'}; ` +
        `p99 under 50 ms at ${RATE} turns/s: ${latencyOk ? 'met' : 'NOT met'}`,
    );
  }
  for (const line of figures) console.log(line);
}

if (process.argv[2] === 'service') await service();
else await main();
