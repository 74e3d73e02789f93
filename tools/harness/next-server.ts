/**
 * A real production build of the app (`next build` + `next start`) on a free
 * port, for integration tests that need HTTP: routing, middleware and
 * redirects exactly as deployed. Builds into its own dist dir so it never
 * touches a developer's `.next`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { freePort, killChild, stopChild } from '../db/local-db';
import { buildPackage } from '../package/build';

const ROOT = path.resolve(__dirname, '..', '..');
const NEXT_BIN = path.join(ROOT, 'node_modules', 'next', 'dist', 'bin', 'next');
const TSCONFIG = path.join(ROOT, 'tsconfig.json');

/** Keys shaped like a development instance's (the publishable key encodes a Frontend API host). Clerk's cloud is never called. */
export const TEST_CLERK_KEYS = {
  NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: `pk_test_${Buffer.from('clerk.example.test$').toString('base64')}`,
  CLERK_SECRET_KEY: 'sk_test_doctorTestSecretKey0000000000000000',
};

export type NextServer = {
  origin: string;
  port: number;
  pid: number;
  stop(): Promise<void>;
  /** SIGKILL, as a crashed function instance: in-flight requests get no answer. */
  crash(): Promise<void>;
};

type Options = { distDir: string; env: Record<string, string> };

/** `next build` of the app, after the engine package's build it compiles against (tools/package/build.ts). */
export function buildApp({ distDir, env }: Options): void {
  buildPackage();
  // next build adds "<distDir>/types/**/*.ts" to tsconfig.json for any non-default
  // dist dir; the checkout's tsconfig must not change because a test ran.
  const tsconfig = readFileSync(TSCONFIG, 'utf8');
  try {
    const build = spawnSync(process.execPath, [NEXT_BIN, 'build'], {
      cwd: ROOT,
      env: { ...process.env, ...env, NEXT_DIST_DIR: distDir, NEXT_TELEMETRY_DISABLED: '1' },
      encoding: 'utf8',
      timeout: 240_000,
    });
    if (build.status !== 0) throw new Error(`next build failed:\n${build.stdout}\n${build.stderr}`);
  } finally {
    if (readFileSync(TSCONFIG, 'utf8') !== tsconfig) writeFileSync(TSCONFIG, tsconfig);
  }
}

type StartOptions = Options & {
  /** Receives the server's log too. */
  onOutput?: (text: string) => void;
  /** A port to listen on (e.g. the one a crashed instance had); a free one by default. */
  port?: number;
};

/** Starts the build made by `buildApp` with `distDir`, and waits until it answers. */
export async function startApp({ distDir, env, onOutput, port: wanted }: StartOptions): Promise<NextServer> {
  const port = wanted ?? (await freePort());
  const child = spawn(process.execPath, [NEXT_BIN, 'start', '-p', String(port)], {
    cwd: ROOT,
    env: { ...process.env, ...env, NEXT_DIST_DIR: distDir, NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const collect = (chunk: Buffer) => {
    log += chunk.toString();
    onOutput?.(chunk.toString());
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const origin = `http://127.0.0.1:${port}`;
  try {
    await waitUntilAnswering(`${origin}/api/webhooks/clerk`, child);
  } catch (error) {
    await stopChild(child);
    throw new Error(`next start did not come up: ${error instanceof Error ? error.message : error}\n${log}`);
  }
  return { origin, port, pid: child.pid!, stop: () => stopChild(child), crash: () => killChild(child) };
}

/** Resolves once anything answers at `url` (any status); rejects when `child` exits first or `timeoutMs` pass. */
export async function waitUntilAnswering(url: string, child: ChildProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`exited with code ${child.exitCode}`);
    try {
      await fetch(url, { signal: AbortSignal.timeout(2_000) });
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}
