/**
 * The embedded local database: a MongoDB-compatible server the project starts
 * itself, for `npm run dev` without MONGODB_URI, for tests and for benchmarks.
 * Uses a `mongod` found on PATH; otherwise FerretDB v1 over SQLite, built from
 * scripts/ferretdb into .tools/bin on first use.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { MongoClient } from 'mongodb';

const ROOT = path.resolve(__dirname, '..');
const FERRETDB_SOURCE = path.join(ROOT, 'scripts', 'ferretdb');
export const FERRETDB_BINARY = path.join(ROOT, '.tools', 'bin', 'ferretdb');

/** Where `npm run dev` starts the embedded database when the port is free; doctor looks there too. */
export const DEV_DB_PORT = 27018;

export type LocalDb = {
  uri: string;
  port: number;
  dataDir: string;
  /** e.g. "FerretDB 1.24.2 (SQLite), MongoDB 7.0.42 compatible" */
  description: string;
  stop(): Promise<void>;
  /** Starts the same server again on the same port and data (for outage tests). */
  restart(): Promise<void>;
};

type Options = { dataDir: string; port?: number; quiet?: boolean };

function findOnPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, command);
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

function newestMtime(dir: string): number {
  return Math.max(...readdirSync(dir).map((name) => statSync(path.join(dir, name)).mtimeMs));
}

/** Builds the FerretDB wrapper when missing or older than its source. Needs Go. */
export function ensureFerretDbBinary(log: (line: string) => void = console.log): string {
  if (existsSync(FERRETDB_BINARY) && statSync(FERRETDB_BINARY).mtimeMs >= newestMtime(FERRETDB_SOURCE)) {
    return FERRETDB_BINARY;
  }
  if (!findOnPath('go')) {
    throw new Error('The embedded database needs Go (to build FerretDB) or a mongod on PATH. Install Go, or set MONGODB_URI.');
  }
  log('Building the embedded database (FerretDB v1.24.2) into .tools/bin — first run only…');
  execFileSync('go', ['build', '-o', FERRETDB_BINARY, '.'], { cwd: FERRETDB_SOURCE, stdio: 'inherit' });
  return FERRETDB_BINARY;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function spawnServer(dataDir: string, port: number, quiet: boolean): ChildProcess {
  const mongod = findOnPath('mongod');
  const [command, args] = mongod
    ? [mongod, ['--dbpath', dataDir, '--port', String(port), '--bind_ip', '127.0.0.1', '--quiet']]
    : [ensureFerretDbBinary(), ['--listen-addr', `127.0.0.1:${port}`, '--sqlite-url', `file:${dataDir}/`]];
  return spawn(command, args, { stdio: ['ignore', quiet ? 'ignore' : 'inherit', 'inherit'] });
}

async function describe(uri: string): Promise<string> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 500 });
  try {
    const info = await client.db('admin').command({ buildInfo: 1 });
    return 'ferretdbVersion' in info
      ? `FerretDB 1.24.2 (SQLite backend, embedded), MongoDB ${String(info.version)} compatible`
      : `MongoDB ${String(info.version)} (local mongod)`;
  } finally {
    await client.close();
  }
}

async function waitUntilReady(uri: string, child: ChildProcess, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`The local database exited with code ${child.exitCode} while starting.`);
    try {
      return await describe(uri);
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** SIGTERM, then SIGKILL after 5 s; resolves once the process has exited. */
export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export async function startLocalDb({ dataDir, port: wanted, quiet = true }: Options): Promise<LocalDb> {
  mkdirSync(dataDir, { recursive: true });
  const port = wanted ?? (await freePort());
  const uri = `mongodb://127.0.0.1:${port}/`;
  let child = spawnServer(dataDir, port, quiet);
  const description = await waitUntilReady(uri, child);
  const cleanup = () => child.kill('SIGTERM');
  process.once('exit', cleanup);

  return {
    uri,
    port,
    dataDir,
    description,
    async stop() {
      process.off('exit', cleanup);
      await stopChild(child);
    },
    async restart() {
      await stopChild(child);
      child = spawnServer(dataDir, port, quiet);
      await waitUntilReady(uri, child);
      process.once('exit', cleanup);
    },
  };
}
