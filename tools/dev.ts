/**
 * `npm run dev`: Next.js in development mode, on MONGODB_URI (the environment
 * or .env.local) if set, else on a server the launcher starts (tools/db/local-db.ts:
 * a mongod on PATH, or mongodb-memory-server's), keeping its data in
 * .data/dev across restarts, and points the app at it.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { loadEnvConfig } from '@next/env';
import { DEFAULT_DATABASE_NAME } from '../lib/db/database-name';
import { DEV_DB_PORT, startLocalDb, type LocalDb } from './db/local-db';
import { clerkModeLines, databaseWarningLines, mongodbUriSource, webhookSecretLines } from './dev/summary';

const ROOT = path.resolve(__dirname, '..');

async function portIsFree(port: number): Promise<boolean> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const server = createServer().once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function main() {
  const uriInShell = Boolean(process.env.MONGODB_URI);
  const { loadedEnvFiles } = loadEnvConfig(ROOT, true, { info: () => {}, error: console.error });
  const env = { ...process.env };

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

  for (const line of [...clerkModeLines(env), ...webhookSecretLines(env)]) console.log(line);

  const next = spawn(process.execPath, [require.resolve('next/dist/bin/next'), 'dev', ...process.argv.slice(2)], {
    cwd: ROOT,
    env,
    stdio: 'inherit',
  });
  const shutdown = () => next.kill('SIGTERM');
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  next.on('exit', async (code) => {
    await localDb.stop();
    process.exit(code ?? 0);
  });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
