/**
 * `npm run dev`: Next.js in development mode. Without MONGODB_URI (in the
 * environment or .env.local) it first starts the embedded local database,
 * keeping its data in .data/dev, and points the app at it.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { loadEnvConfig } from '@next/env';
import { DEFAULT_DATABASE_NAME } from '../lib/db/database-name';
import { DEV_DB_PORT, startLocalDb, freePort, type LocalDb } from './db/local-db';
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
  let localDb: LocalDb | undefined;
  const env = { ...process.env };

  if (env.MONGODB_URI) {
    const source = mongodbUriSource(uriInShell, loadedEnvFiles);
    console.log(`▸ Database: MONGODB_URI from ${source} (${env.MONGODB_URI.replace(/\/\/[^@/]*@/, '//…@')})`);
    for (const line of await databaseWarningLines(env.MONGODB_URI)) console.log(line);
  } else {
    const port = (await portIsFree(DEV_DB_PORT)) ? DEV_DB_PORT : await freePort();
    localDb = await startLocalDb({ dataDir: path.join(ROOT, '.data', 'dev'), port });
    env.MONGODB_URI = `${localDb.uri}${DEFAULT_DATABASE_NAME}`;
    console.log(`▸ Database: ${localDb.description}`);
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
    await localDb?.stop();
    process.exit(code ?? 0);
  });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
