import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { type AddressInfo, connect, createServer as createTcpServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageCipher } from '../../src/store/message-key.js';
import { createMongoStore } from '../../src/store/mongo/mongo-store.js';
import { waitUntil } from '../fakes/fake-server.js';
import { type MessengerFake, startMessengerFake } from '../fakes/messenger-fake.js';
import { messengerEnv, type ServiceChild, startServiceChild } from './child.js';

/**
 * The MongoDB half of "the store unavailable for a while": the real service (child process) on
 * its OWN FerretDB (the binary scripts/test-services.sh builds; not the shared MONGODB_URI one,
 * which other files use in parallel), FerretDB killed (SIGKILL) and started again on the same
 * port and the same SQLite folder. The scenario runs once; each test checks one thing it observed.
 *
 * What the service promises, and what is checked:
 * - /readyz pings the store: 503 within about a second while the wire server is down (it does
 *   not wait for the driver's 5 s server selection), 200 again within seconds of its restart;
 * - a webhook is acknowledged only once its event is in the inbox, so during the outage it is
 *   refused with 503 and the platform delivers it again; after the restart it is stored and
 *   answered once;
 * - what was acknowledged before the outage is kept: messages, the processed ids (a
 *   redelivery is not answered twice), and a reply still pending in the outbox (the Graph API
 *   refused it until the store went down), which is sent once after the restart;
 * - the process does not crash (no unhandled rejection from the background loops).
 */
const FERRETDB = join(
  process.env.XDG_CACHE_HOME || join(homedir(), '.cache'),
  'safe-journey',
  'ferretdb-v1.24.0',
);

describe('MongoDB-wire server (FerretDB) stopped and restarted', () => {
  let ferret: FerretDb | undefined;
  let fake: MessengerFake;
  let gate: GraphGate | undefined;
  let child: ServiceChild | undefined;
  let dataDir: string;
  const messageKey = randomBytes(32).toString('base64');
  const seen = {
    readyBefore: 0,
    beforeAcks: [] as number[],
    pendingAck: 0,
    pendingSentBeforeStop: 0,
    readyDown: [] as { status: number; ms: number }[],
    duringAck: 0,
    duringAckMs: 0,
    aliveDuringOutage: false,
    readyAgainMs: -1,
    beforeRedeliveredAck: 0,
    duringRedeliveredAck: 0,
    afterAck: 0,
    aliveAtEnd: false,
    /** Inbound messages stored per PSID, read from FerretDB after the scenario. */
    stored: new Map<string, string[]>(),
    inboxLeft: -1,
    outboxLeft: -1,
    /** Replies the platform accepted per PSID (texts, in order). */
    sent: new Map<string, string[]>(),
  };
  const BEFORE = ['psid-m-before-1', 'psid-m-before-2', 'psid-m-before-3'];
  const ALL = [...BEFORE, 'psid-m-pending', 'psid-m-during', 'psid-m-after'];
  const sentTo = (psid: string) => fake.sent.filter((s) => s.psid === psid);
  const textsTo = (psid: string) =>
    sentTo(psid).map((s) => String(s.body?.message?.text ?? JSON.stringify(s.body?.message)));
  const alive = () => child?.process.exitCode === null && child.process.signalCode === null;
  const readyz = async () => {
    const started = performance.now();
    // A timeout, so that a probe that hangs fails the test instead of stalling it.
    const res = await fetch(`${child?.url}/readyz`, { signal: AbortSignal.timeout(15_000) });
    await res.text();
    return { status: res.status, ms: Math.round(performance.now() - started) };
  };

  beforeAll(async () => {
    if (!existsSync(FERRETDB)) {
      throw new Error(
        `FerretDB binary missing at ${FERRETDB}: build it with \`source scripts/test-services.sh\` ` +
          '(needs Go; .ci/run does this before the tests)',
      );
    }
    ferret = await startFerretDb(FERRETDB);
    fake = await startMessengerFake({ webhookRetries: 0 });
    gate = await startGraphGate(fake.url);
    dataDir = mkdtempSync(join(tmpdir(), 'sj-faults-mongo-'));
    child = await startServiceChild(
      messengerEnv(fake, dataDir, {
        MONGODB_URI: ferret.uri,
        MESSAGE_KEY: messageKey,
        MESSENGER_GRAPH_URL: gate.url,
        LOG_LEVEL: 'error',
        // Retries of pending sends come from the periodic pass; every 2 s leaves a quiet moment
        // to stop the store in, so that no outbox lease is held at the kill (see below).
        OUTBOX_POLL_MS: '2000',
      }),
    );
    const hook = `${child.url}/webhooks/messenger`;
    // A reply that never comes fails with the service's last log lines (errors only).
    const waitSent = (psid: string, what: string) =>
      waitUntil(() => (sentTo(psid).length > 0 ? true : undefined), 15_000, what).catch(
        (error: Error) => {
          throw new Error(`${error.message}\nservice log:\n${child?.output.join('').slice(-4000)}`);
        },
      );
    seen.readyBefore = (await readyz()).status;

    // Acknowledged and answered before the outage.
    for (const [i, psid] of BEFORE.entries()) {
      const ack = await fake.deliver(hook, [fake.text(psid, 'menu', `mid.m.before.${i}`)]);
      seen.beforeAcks.push(ack.status);
    }
    for (const psid of BEFORE) await waitSent(psid, `reply to ${psid}`);

    // Acknowledged before the outage, its reply still pending: the Graph API refuses sends.
    gate.open = false;
    seen.pendingAck = (
      await fake.deliver(hook, [fake.text('psid-m-pending', 'menu', 'mid.m.pending')])
    ).status;
    await waitUntil(() => (gate?.refused ? true : undefined), 15_000, 'a refused send');
    // A lease taken just before the kill could not be released and would hold that person's
    // sends for its 60 s; stop the store in a quiet moment between outbox passes instead.
    await quiet(() => gate?.refused ?? 0, 300);
    seen.pendingSentBeforeStop = sentTo('psid-m-pending').length;

    // The outage. The Graph API is back meanwhile; the reply must wait for the store.
    await ferret.kill();
    const killed = performance.now();
    gate.open = true;
    const [down1, during] = await Promise.all([
      readyz(),
      fake.deliver(hook, [fake.text('psid-m-during', 'menu', 'mid.m.during')]),
    ]);
    seen.readyDown.push(down1);
    seen.duringAck = during.status;
    seen.duringAckMs = Math.round(during.ms);
    seen.readyDown.push(await readyz());
    // Down for a while: the outbox's periodic pass (2 s) and the inbox resume (5 s) fail meanwhile.
    await new Promise((r) => setTimeout(r, Math.max(0, 6000 - (performance.now() - killed))));
    seen.readyDown.push(await readyz());
    seen.aliveDuringOutage = alive();

    // Restarted on the same port and folder.
    const restarted = performance.now();
    await ferret.restart();
    while ((await readyz()).status !== 200) {
      if (performance.now() - restarted > 20_000) {
        throw new Error(
          `not ready 20 s after FerretDB restarted; service log:\n${child.output.join('').slice(-4000)}`,
        );
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    seen.readyAgainMs = Math.round(performance.now() - restarted);

    // The platform delivers the refused event again; an old one too (it must not be answered twice).
    seen.duringRedeliveredAck = (
      await fake.deliver(hook, [fake.text('psid-m-during', 'menu', 'mid.m.during')])
    ).status;
    seen.beforeRedeliveredAck = (
      await fake.deliver(hook, [fake.text(BEFORE[0] as string, 'menu', 'mid.m.before.0')])
    ).status;
    seen.afterAck = (
      await fake.deliver(hook, [fake.text('psid-m-after', 'menu', 'mid.m.after')])
    ).status;
    for (const psid of ['psid-m-pending', 'psid-m-during', 'psid-m-after']) {
      await waitSent(psid, `reply to ${psid} after the restart`);
    }
    // Settle: a second copy of anything would arrive now.
    await new Promise((r) => setTimeout(r, 2500));
    seen.aliveAtEnd = alive();
    for (const psid of ALL) seen.sent.set(psid, textsTo(psid));

    console.info(
      `mongo restart: /readyz while down ${seen.readyDown.map((r) => `${r.status} in ${r.ms} ms`).join(', ')}; ` +
        `webhook while down ${seen.duringAck} in ${seen.duringAckMs} ms; ready again ${seen.readyAgainMs} ms after the restart`,
    );

    // What the store holds, read the way the service reads it.
    const store = await createMongoStore(ferret.uri, {
      cipher: messageCipher({ key: messageKey, required: true }),
    });
    try {
      for (const psid of ALL) {
        const c = await store.findConversation('messenger', psid);
        const messages = c ? await store.listMessages(c.id) : [];
        seen.stored.set(
          psid,
          messages.filter((m) => m.direction === 'in').map((m) => m.text),
        );
      }
      seen.inboxLeft = (await store.listInbox(new Date(Date.now() + 3600_000), 100)).length;
      seen.outboxLeft = (await store.pendingOutbox(100)).length;
    } finally {
      await store.close();
    }
  }, 55_000);

  afterAll(async () => {
    await child?.kill();
    await gate?.close();
    await fake?.close();
    await ferret?.kill();
    ferret?.remove();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('is ready before the outage and acknowledges messages (one whose reply the platform refuses)', () => {
    expect(seen.readyBefore).toBe(200);
    expect(seen.beforeAcks).toEqual([200, 200, 200]);
    expect(seen.pendingAck).toBe(200);
  });

  it('reports not ready (503) while the store is down, without hanging', () => {
    expect(seen.readyDown.map((r) => r.status)).toEqual([503, 503, 503]);
    // Within a probe's timeout: the answer does not wait for the driver's 5 s server selection.
    for (const r of seen.readyDown) expect(r.ms).toBeLessThan(2000);
  });

  it('refuses (503) a webhook it cannot store while the store is down, so the platform delivers it again', () => {
    expect(seen.duringAck).toBe(503);
    expect(seen.duringAckMs).toBeLessThan(8000);
  });

  it('keeps running through the outage', () => {
    expect(seen.aliveDuringOutage).toBe(true);
    expect(seen.aliveAtEnd).toBe(true);
  });

  it('is ready again within seconds of the restart', () => {
    expect(seen.readyAgainMs).toBeGreaterThanOrEqual(0);
    expect(seen.readyAgainMs).toBeLessThan(10_000);
  });

  it('after the restart, acknowledges the redelivered message and a new one', () => {
    expect([seen.duringRedeliveredAck, seen.beforeRedeliveredAck, seen.afterAck]).toEqual([
      200, 200, 200,
    ]);
  });

  it('stores every acknowledged message exactly once, and finishes all its work', () => {
    for (const psid of ALL)
      expect({ psid, in: seen.stored.get(psid) }).toEqual({ psid, in: ['menu'] });
    expect(seen.inboxLeft).toBe(0);
    expect(seen.outboxLeft).toBe(0);
  });

  it('answers every acknowledged message exactly once, the pending reply only after the restart', () => {
    expect(seen.pendingSentBeforeStop).toBe(0);
    // Every message is the same first "menu" from a new person: the same replies, once each.
    const reference = seen.sent.get(BEFORE[1] as string) ?? [];
    expect(reference.length).toBeGreaterThan(0);
    for (const psid of ALL)
      expect({ psid, sent: seen.sent.get(psid) }).toEqual({ psid, sent: reference });
  });
});

interface FerretDb {
  uri: string;
  /** SIGKILL, resolves once the process is gone. */
  kill(): Promise<void>;
  /** Starts it again on the same port and folder, resolves once it accepts connections. */
  restart(): Promise<void>;
  remove(): void;
}

/** A private FerretDB (SQLite backend) on a free loopback port and a temporary folder. */
async function startFerretDb(bin: string): Promise<FerretDb> {
  const dir = mkdtempSync(join(tmpdir(), 'sj-faults-ferret-'));
  const port = await freePort();
  const output: string[] = [];
  let proc: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const start = async () => {
    const p = spawn(
      bin,
      [
        '--handler=sqlite',
        `--sqlite-url=file:${dir}/`,
        `--listen-addr=127.0.0.1:${port}`,
        `--state-dir=${dir}`,
        '--debug-addr=-',
        '--telemetry=disable',
        '--log-level=error',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    proc = p;
    p.stdout?.on('data', (c: Buffer) => output.push(c.toString('utf8')));
    p.stderr?.on('data', (c: Buffer) => output.push(c.toString('utf8')));
    exited = new Promise((resolve) => p.once('exit', () => resolve()));
    await waitUntilAsync(
      async () => p.exitCode === null && (await accepts(port)),
      10_000,
      () => `FerretDB on port ${port}:\n${output.join('')}`,
    );
  };
  await start();
  return {
    uri: `mongodb://127.0.0.1:${port}/safe_journey`,
    async kill() {
      if (proc && proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      await exited;
    },
    restart: start,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * Between the service and the Messenger fake: passes Graph API calls through while open, answers
 * 503 (a retryable refusal) while closed, and counts those refusals.
 */
interface GraphGate {
  url: string;
  open: boolean;
  refused: number;
  close(): Promise<void>;
}

async function startGraphGate(target: string): Promise<GraphGate> {
  const gate = { open: true, refused: 0 } as GraphGate;
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (!gate.open) {
      gate.refused++;
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ error: { message: 'unavailable', type: 'OAuthException', code: 2 } }),
      );
      return;
    }
    const upstream = await fetch(`${target}${req.url}`, {
      method: req.method ?? 'POST',
      headers: { 'content-type': req.headers['content-type'] ?? 'application/json' },
      body: Buffer.concat(chunks),
    });
    res.writeHead(upstream.status, { 'content-type': 'application/json' });
    res.end(await upstream.text());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  gate.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  gate.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return gate;
}

async function freePort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.end();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

async function waitUntilAsync(
  check: () => Promise<boolean>,
  timeoutMs: number,
  what: () => string,
) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Resolves once `count()` has not changed for `ms`. */
async function quiet(count: () => number, ms: number) {
  let last = count();
  let since = Date.now();
  await waitUntil(
    () => {
      const n = count();
      if (n !== last) {
        last = n;
        since = Date.now();
      }
      return Date.now() - since >= ms ? true : undefined;
    },
    15_000,
    'quiet',
  );
}
