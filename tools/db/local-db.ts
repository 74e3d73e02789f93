/**
 * The embedded local database: a MongoDB-compatible server the project starts
 * itself, for `npm run dev` without MONGODB_URI, for tests and for benchmarks.
 * Uses a `mongod` found on PATH; otherwise FerretDB v1 over SQLite, built from
 * tools/db/ferretdb into .tools/bin on first use, with the index pushdown of
 * tools/db/ferretdb/overlay compiled in.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { MongoClient } from 'mongodb';

const ROOT = path.resolve(__dirname, '..', '..');
const FERRETDB_SOURCE = path.join(__dirname, 'ferretdb');
const FERRETDB_BINARY = path.join(ROOT, '.tools', 'bin', 'ferretdb');
const PATCH_DIR = path.join(ROOT, '.tools', 'ferretdb-patched');

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
  /** Kills the server with SIGKILL (no graceful drain); resolves once it has exited. `restart()` brings it back. */
  crash(): Promise<void>;
  /** Stops the process (SIGSTOP): its sockets stay open and nothing answers, as a hung server. Resolves once it is stopped. */
  freeze(): Promise<void>;
  /** Lets a frozen server run again (SIGCONT). */
  thaw(): void;
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
  return Math.max(
    ...readdirSync(dir, { withFileTypes: true }).map((entry) => {
      const entryPath = path.join(dir, entry.name);
      return entry.isDirectory() ? newestMtime(entryPath) : statSync(entryPath).mtimeMs;
    }),
  );
}

/** FerretDB's one-filter `_id` pushdown in the SQLite backend's Query and Explain, which `pushdownWhere` replaces. */
const ID_PUSHDOWN = /\tif params\.Filter\.Len\(\) == 1 \{\n\t\tv, _ := params\.Filter\.Get\("_id"\)\n\t\tswitch v\.\(type\) \{\n\t\tcase string, types\.ObjectID:\n(\t\t\tfilterPushdown = true\n)?\t\t\twhereClause = [^\n]+\n\t\t\targs = [^\n]+\n\t\t\}\n\t\}\n/g;

/**
 * FerretDB looks documents up by `_id` (find, update, delete) with the path
 * '$._id', while it creates the `_id` index on the expression "_id": SQLite
 * matches index expressions literally, so every `_id` lookup scanned the whole
 * table. Spelling the lookup like the index makes SQLite use it.
 */
function patchIdColumn(metadataFile: string): void {
  const upstream = `IDColumn = DefaultColumn + "->'$._id'"`;
  const source = readFileSync(metadataFile, 'utf8');
  if (!source.includes(upstream)) throw new Error(`FerretDB's sqlite/metadata/metadata.go changed (no ${upstream}); update tools/db/local-db.ts.`);
  writeFileSync(metadataFile, source.replace(upstream, 'IDColumn = DefaultColumn + `->"_id"`'));
}

/**
 * A copy of FerretDB's module with tools/db/ferretdb/overlay/pushdown.go in its
 * SQLite backend, and a go.mod (passed with -modfile) that builds against that
 * copy. tools/db/ferretdb/go.mod and the module cache stay untouched; a changed
 * upstream file fails the build here instead of silently losing the pushdown.
 */
function preparePatchedFerretDb(): string {
  const upstreamDir = JSON.parse(
    execFileSync('go', ['mod', 'download', '-json', 'github.com/FerretDB/FerretDB'], { cwd: FERRETDB_SOURCE, encoding: 'utf8' }),
  ).Dir as string;
  const sourceDir = path.join(PATCH_DIR, 'FerretDB');
  rmSync(PATCH_DIR, { recursive: true, force: true });
  cpSync(upstreamDir, sourceDir, { recursive: true });
  execFileSync('chmod', ['-R', 'u+w', sourceDir]);

  const backendDir = path.join(sourceDir, 'internal', 'backends', 'sqlite');
  let replaced = 0;
  const patched = readFileSync(path.join(backendDir, 'collection.go'), 'utf8').replace(ID_PUSHDOWN, (_block, explain?: string) => {
    replaced += 1;
    const pushdown = '\twhereClause, args = pushdownWhere(meta, params.Filter)\n';
    return explain ? `${pushdown}\tfilterPushdown = whereClause != ""\n` : pushdown;
  });
  if (replaced !== 2) throw new Error(`FerretDB's sqlite/collection.go changed (${replaced} of 2 pushdown blocks found); update tools/db/ferretdb/overlay.`);
  writeFileSync(path.join(backendDir, 'collection.go'), patched);
  patchIdColumn(path.join(backendDir, 'metadata', 'metadata.go'));
  cpSync(path.join(FERRETDB_SOURCE, 'overlay', 'pushdown.go'), path.join(backendDir, 'pushdown.go'));

  const modfile = path.join(PATCH_DIR, 'go.mod');
  const goMod = readFileSync(path.join(FERRETDB_SOURCE, 'go.mod'), 'utf8');
  writeFileSync(modfile, `${goMod}\nreplace github.com/FerretDB/FerretDB => ${sourceDir}\n`);
  cpSync(path.join(FERRETDB_SOURCE, 'go.sum'), path.join(PATCH_DIR, 'go.sum'));
  return modfile;
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
  const modfile = preparePatchedFerretDb();
  execFileSync('go', ['build', `-modfile=${modfile}`, '-o', FERRETDB_BINARY, '.'], { cwd: FERRETDB_SOURCE, stdio: 'inherit' });
  return FERRETDB_BINARY;
}

/** What the embedded database runs on this machine: a mongod on PATH, else the FerretDB wrapper (built now if need be). */
export function ensureLocalDbServer(log: (line: string) => void = console.log): string {
  const mongod = findOnPath('mongod');
  return mongod ? `mongod at ${mongod}` : `FerretDB at ${ensureFerretDbBinary(log)}`;
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

/** Whether the process is stopped by a signal, from its state in /proc (Linux). */
function isStopped(child: ChildProcess): boolean {
  // The state is the field after the parenthesised command name: "T" once stopped.
  const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).startsWith('T');
}

/** SIGKILL; resolves once the process has exited. */
export function killChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

export async function startLocalDb({ dataDir, port: wanted, quiet = true }: Options): Promise<LocalDb> {
  mkdirSync(dataDir, { recursive: true });
  const port = wanted ?? (await freePort());
  const uri = `mongodb://127.0.0.1:${port}/`;
  let child = spawnServer(dataDir, port, quiet);
  const description = await waitUntilReady(uri, child);
  // SIGKILL, not SIGTERM: a frozen server would hold SIGTERM until it is thawed.
  const cleanup = () => child.kill('SIGKILL');
  process.once('exit', cleanup);

  return {
    uri,
    port,
    dataDir,
    description,
    async stop() {
      process.off('exit', cleanup);
      child.kill('SIGCONT');
      await stopChild(child);
    },
    async restart() {
      process.off('exit', cleanup);
      child.kill('SIGCONT');
      await stopChild(child);
      child = spawnServer(dataDir, port, quiet);
      await waitUntilReady(uri, child);
      process.once('exit', cleanup);
    },
    crash() {
      return killChild(child);
    },
    async freeze() {
      child.kill('SIGSTOP');
      while (!isStopped(child)) await new Promise((resolve) => setTimeout(resolve, 20));
    },
    thaw() {
      child.kill('SIGCONT');
    },
  };
}
