/**
 * `next dev` as a newcomer's `npm run dev` runs it after `cp .env.local.example
 * .env.local`: development mode, no Clerk keys, on the e2e suite's database.
 * Every Clerk variable is set to empty, which Next's env loader keeps, so a
 * developer's own .env.local cannot bring keys in; Clerk's Backend API is a
 * port nothing listens on. Builds into its own dist dir, and puts back the
 * tsconfig.json that `next dev` rewrites for it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runSecrets } from '../../../tools/clerk/run-secrets';
import { freePort } from '../../../tools/db/local-db';
import { E2E_DATABASE } from './database';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const NEXT_BIN = path.join(ROOT, 'node_modules', 'next', 'dist', 'bin', 'next');
const TSCONFIG = path.join(ROOT, 'tsconfig.json');
const DIST_DIR = '.next-e2e-dev';

export type DevServer = {
  origin: string;
  /** Everything the server printed so far. */
  output(): string;
  stop(): Promise<void>;
};

/** The app's Clerk variables, empty: what `.env.local.example` leaves them. */
const NO_CLERK = {
  NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: '',
  CLERK_SECRET_KEY: '',
  CLERK_JWT_KEY: '',
  APP_ORIGINS: '',
  ADMIN_USER_IDS: '',
};

export async function startDevServer(): Promise<DevServer> {
  const dbPort = process.env.E2E_DB_PORT;
  if (!dbPort) throw new Error('E2E_DB_PORT is not set: run the e2e suite through tests/playwright.config.ts (npm run test:e2e).');
  const port = await freePort();
  const tsconfig = readFileSync(TSCONFIG, 'utf8');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...NO_CLERK,
    NODE_ENV: 'development',
    NEXT_DIST_DIR: DIST_DIR,
    NEXT_TELEMETRY_DISABLED: '1',
    MONGODB_URI: `mongodb://127.0.0.1:${dbPort}/`,
    MONGODB_DB: E2E_DATABASE,
    CLERK_WEBHOOK_SECRET: runSecrets().webhookSecret,
    CLERK_API_URL: `http://127.0.0.1:${await freePort()}`,
  };
  delete env.__NEXT_PROCESSED_ENV;
  // A process group of its own: stopping it stops Next's workers too.
  const child = spawn(process.execPath, [NEXT_BIN, 'dev', '--port', String(port)], { cwd: ROOT, env, detached: true, stdio: 'pipe' });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const stop = async () => {
    await stopGroup(child);
    if (readFileSync(TSCONFIG, 'utf8') !== tsconfig) writeFileSync(TSCONFIG, tsconfig);
  };
  const origin = `http://127.0.0.1:${port}`;
  try {
    await waitUntilListening(origin, child);
  } catch (error) {
    await stop();
    throw new Error(`next dev did not come up: ${error instanceof Error ? error.message : error}\n${output}`);
  }
  return { origin, output: () => output, stop };
}

async function waitUntilListening(origin: string, child: ChildProcess, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`exited with code ${child.exitCode}`);
    try {
      // Any answer: the route is compiled on this first request.
      await fetch(`${origin}/api/health`, { signal: AbortSignal.timeout(60_000) });
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

function stopGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const signal = (name: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, name);
      } catch {
        // already gone
      }
    };
    const kill = setTimeout(() => signal('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    signal('SIGTERM');
  });
}
