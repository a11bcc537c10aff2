import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { MessengerFake } from '../fakes/messenger-fake.js';
import { messengerEnv as channelEnv } from '../support/channel-env.js';

/**
 * The real service (src/main.ts, as `npm run dev` starts it) in a child process, so that a
 * test can SIGKILL it: nothing runs after the kill, exactly like a crash or an OOM kill.
 */
export interface ServiceChild {
  url: string;
  process: ChildProcess;
  /** What it printed (logs at LOG_LEVEL), for a failing test's message. */
  output: string[];
  /** SIGKILL, and resolves once the process is gone. */
  kill(): Promise<void>;
  /** SIGTERM (graceful stop), and resolves once the process is gone. */
  stop(): Promise<void>;
}

const main = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

export async function startServiceChild(env: Record<string, string>): Promise<ServiceChild> {
  const child = fork(main, [], {
    execArgv: ['--import', 'tsx'],
    env: {
      PATH: process.env.PATH ?? '',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      QUICK_EXIT_URL: 'https://neutral.example/weather',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const output: string[] = [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`service did not start:\n${output.join('')}`)),
      30_000,
    );
    const onData = (chunk: Buffer) => {
      output.push(chunk.toString('utf8'));
      const m = /running: open (http:\/\/[^\s/]+)\//.exec(output.join(''));
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`service exited (${code}) before listening:\n${output.join('')}`));
    });
  });
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return { url, process: child, output, kill: () => end('SIGKILL'), stop: () => end('SIGTERM') };
}

/** The Messenger settings for a child service on `dataDir`, retries capped short. */
export function messengerEnv(
  fake: MessengerFake,
  dataDir: string,
  extra: Record<string, string> = {},
) {
  return channelEnv(fake, {
    DATA_DIR: dataDir,
    USER_RATE_PER_MINUTE: '1000',
    OUTBOX_RETRY_MAX_MS: '400',
    ...extra,
  });
}
