/**
 * `npm run dev`: Next.js in development mode, on MONGODB_URI (the environment
 * or .env.local) if set, else on a server the launcher starts (tools/db/local-db.ts:
 * a mongod on PATH, or mongodb-memory-server's), keeping its data in
 * .data/dev across restarts, and points the app at it. It picks the port
 * (3000, or the next free one) and records it for the CLIs
 * (tools/lib/dev-server.ts), and says what a changed .env.local does. The
 * engine package (packages/clerk-mongo-sync) is rebuilt on every change to
 * its source (`tsc -b --watch`), so Next reloads the app with it.
 */
import { spawn } from 'node:child_process';
import { existsSync, watch } from 'node:fs';
import path from 'node:path';
import { loadEnvConfig } from '@next/env';
import { DEFAULT_DATABASE_NAME } from '../lib/db/database-name';
import { DEV_DB_PORT, startLocalDb, type LocalDb } from './db/local-db';
import { clerkModeLines, databaseWarningLines, envReloadLines, mongodbUriSource, webhookSecretLines } from './dev/summary';
import { choosePort, DEFAULT_DEV_PORT, forgetDevServer, recordDevServer } from './lib/dev-server';
import type { EnvSource } from './lib/local-env';
import { buildPackage, watchPackage } from './package/build';

const ROOT = path.resolve(__dirname, '..');

async function portIsFree(port: number): Promise<boolean> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const server = createServer().once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

type LoadedEnvFiles = ReturnType<typeof loadEnvConfig>['loadedEnvFiles'];

/** What the .env files set, merged as Next merges them (the first file to set a variable wins). */
function fileValues(files: LoadedEnvFiles): EnvSource {
  const values: EnvSource = {};
  for (const file of files) for (const [name, value] of Object.entries(file.env)) values[name] ??= value;
  return values;
}

const QUIET = { info: () => {}, error: console.error };

/**
 * Says what each change to the .env files does, as Next reloads them. Next
 * does not notice a file that is removed, so that one needs a restart.
 */
function watchEnvFiles(shell: EnvSource, initial: EnvSource): void {
  let current = initial;
  let pending: NodeJS.Timeout | undefined;
  watch(ROOT, (_event, name) => {
    if (!name?.startsWith('.env') || name.endsWith('.example')) return;
    clearTimeout(pending);
    pending = setTimeout(() => {
      if (!existsSync(path.join(ROOT, name))) {
        console.log(`✘ ${name} was removed: Next does not notice a removed file; restart npm run dev for the app to drop its values`);
        return;
      }
      const next = fileValues(loadEnvConfig(ROOT, true, QUIET, true).loadedEnvFiles);
      for (const line of envReloadLines(current, next, shell)) console.log(line);
      current = next;
    }, 300);
  });
}

/** Rebuilds the engine package on change; says when a change does not compile (the app keeps the last build). */
function watchEnginePackage() {
  const watcher = watchPackage();
  let report = '';
  let failing = false;
  watcher.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    report += chunk;
    const lines = report.split('\n');
    report = lines.pop() ?? '';
    for (const line of lines) {
      if (/error TS\d+/.test(line)) console.log(`✘ Engine package: ${line.trim()}`);
      else if (/Found [1-9]\d* errors?/.test(line)) {
        failing = true;
        console.log('✘ Engine package: the change does not compile; the app runs the last build');
      } else if (/Found 0 errors/.test(line) && failing) {
        failing = false;
        console.log('▸ Engine package: compiles again; the app runs the new build');
      }
    }
  });
  return watcher;
}

async function main() {
  const shell = { ...process.env };
  const uriInShell = Boolean(process.env.MONGODB_URI);
  const { loadedEnvFiles } = loadEnvConfig(ROOT, true, QUIET);
  const env = { ...process.env };
  // Next reads the .env files itself and reloads them when they change; what came from them must not reach it
  // as its starting environment, which would win over every later edit. Only the shell's and ours do.
  const nextEnv = { ...shell };

  console.log('▸ Database: choosing (MONGODB_URI → MONGOMS_SYSTEM_BINARY → mongod on PATH → mongodb-memory-server)');
  const port = env.MONGODB_URI || !(await portIsFree(DEV_DB_PORT)) ? undefined : DEV_DB_PORT;
  const localDb: LocalDb = await startLocalDb({ dataDir: path.join(ROOT, '.data', 'dev'), port, existing: 'MONGODB_URI' });
  console.log(`▸ Database: ${localDb.description}`);
  if (localDb.existing) {
    console.log(`  ${localDb.uri.replace(/\/\/[^@/]*@/, '//…@')} (MONGODB_URI from ${mongodbUriSource(uriInShell, loadedEnvFiles)})`);
    for (const line of await databaseWarningLines(localDb.uri)) console.log(line);
  } else {
    env.MONGODB_URI = `${localDb.uri}${DEFAULT_DATABASE_NAME}`;
    console.log(`  ${env.MONGODB_URI} — data in .data/dev (set MONGODB_URI to use your own)`);
  }
  if (env.MONGODB_URI !== process.env.MONGODB_URI) nextEnv.MONGODB_URI = env.MONGODB_URI;

  for (const line of [...clerkModeLines(env), ...webhookSecretLines(env)]) console.log(line);

  // The app runs on the engine package's build: current before Next starts, rebuilt on every change after.
  buildPackage();
  const engineWatcher = watchEnginePackage();
  console.log('▸ Engine package: packages/clerk-mongo-sync, rebuilt on change (tsc --watch)');

  const args = process.argv.slice(2);
  const app = await choosePort(args, shell);
  if (!app.given && app.port !== DEFAULT_DEV_PORT) console.log(`▸ Port ${DEFAULT_DEV_PORT} is in use: the app listens on ${app.port}`);
  console.log(`▸ App: http://localhost:${app.port} (or 127.0.0.1); npm run webhook and npm run doctor find it (.data/dev-server.json)`);
  const portArgs = app.given ? [] : ['--port', String(app.port)];
  const next = spawn(process.execPath, [require.resolve('next/dist/bin/next'), 'dev', ...portArgs, ...args], {
    cwd: ROOT,
    env: nextEnv,
    stdio: 'inherit',
  });
  recordDevServer({ port: app.port, pid: process.pid });
  watchEnvFiles(shell, fileValues(loadedEnvFiles));
  const shutdown = () => {
    engineWatcher.kill('SIGTERM');
    next.kill('SIGTERM');
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  next.on('exit', async (code) => {
    engineWatcher.kill('SIGTERM');
    forgetDevServer(process.pid);
    await localDb.stop();
    process.exit(code ?? 0);
  });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
