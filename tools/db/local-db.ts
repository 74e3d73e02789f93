/**
 * The one database launcher, for `npm run dev`, the test suites, benchmarks
 * and CI. In order (docs/databases.md), printing which it uses and why each
 * earlier choice was skipped:
 *
 * 1. an existing server: MONGODB_URI (dev) or TEST_MONGODB_URI (tests), when
 *    the caller names the variable (`existing`);
 * 2. a `mongod` on PATH, 3. mongodb-memory-server's `mongod` (cached, or
 *    downloaded once: see memory-server.ts) — each run as a single-node
 *    replica set, so retryable writes and transactions work as on Atlas;
 * 4. FerretDB v1 over SQLite, the offline fallback, built from
 *    tools/db/ferretdb into .tools/bin on first use (needs Go), with the
 *    index pushdown and per-statement update results of tools/db/ferretdb/overlay
 *    compiled in.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { MongoClient, MongoServerError } from 'mongodb';
import { fetchMongodBinary } from './memory-server';

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
  /** An existing server (MONGODB_URI, TEST_MONGODB_URI): `uri` is the variable's value; stop() leaves the server running, restart() and the rest throw. */
  existing: boolean;
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

type Options = {
  dataDir: string;
  port?: number;
  quiet?: boolean;
  /**
   * mongod only: run standalone instead of as a single-node replica set. For a
   * server reached through a proxy: a replica set member announces its own
   * address and the driver would connect there, around the proxy.
   */
  standalone?: boolean;
  /** The variable naming an existing server to use instead of launching one, if set. */
  existing?: 'MONGODB_URI' | 'TEST_MONGODB_URI';
  log?: (line: string) => void;
};

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
const ID_PUSHDOWN =
  /\tif params\.Filter\.Len\(\) == 1 \{\n\t\tv, _ := params\.Filter\.Get\("_id"\)\n\t\tswitch v\.\(type\) \{\n\t\tcase string, types\.ObjectID:\n(\t\t\tfilterPushdown = true\n)?\t\t\twhereClause = [^\n]+\n\t\t\targs = [^\n]+\n\t\t\}\n\t\}\n/g;

/**
 * FerretDB looks documents up by `_id` (find, update, delete) with the path
 * '$._id', while it creates the `_id` index on the expression "_id": SQLite
 * matches index expressions literally, so every `_id` lookup scanned the whole
 * table. Spelling the lookup like the index makes SQLite use it.
 */
function patchIdColumn(metadataFile: string): void {
  const upstream = `IDColumn = DefaultColumn + "->'$._id'"`;
  const source = readFileSync(metadataFile, 'utf8');
  if (!source.includes(upstream))
    throw new Error(`FerretDB's sqlite/metadata/metadata.go changed (no ${upstream}); update tools/db/local-db.ts.`);
  writeFileSync(metadataFile, source.replace(upstream, 'IDColumn = DefaultColumn + `->"_id"`'));
}

/** Upstream's update command, recognised by the two lines overlay/handler/msg_update.go changes. */
const UPSTREAM_UPDATE_MARKERS = ['_ = params.Ordered', '"index", int32(upserted.Len()),'];

/**
 * FerretDB's update command reports a failing statement as the whole command's
 * and numbers upserts by count (see overlay/handler/msg_update.go): the copy
 * in the overlay reports each statement by its index, as MongoDB does.
 */
function patchUpdateCommand(sourceDir: string): void {
  const handlerFile = path.join(sourceDir, 'internal', 'handler', 'msg_update.go');
  const upstream = readFileSync(handlerFile, 'utf8');
  if (!UPSTREAM_UPDATE_MARKERS.every((marker) => upstream.includes(marker)))
    throw new Error("FerretDB's handler/msg_update.go changed; update tools/db/ferretdb/overlay/handler/msg_update.go.");
  const overlay = path.join(FERRETDB_SOURCE, 'overlay');
  cpSync(path.join(overlay, 'handler', 'msg_update.go'), handlerFile);
  cpSync(
    path.join(overlay, 'handlererrors', 'first_write_error.go'),
    path.join(sourceDir, 'internal', 'handler', 'handlererrors', 'first_write_error.go'),
  );
}

/**
 * A copy of FerretDB's module with tools/db/ferretdb/overlay/pushdown.go in its
 * SQLite backend and the overlay's update command, and a go.mod (passed with -modfile) that builds against that
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
  if (replaced !== 2)
    throw new Error(`FerretDB's sqlite/collection.go changed (${replaced} of 2 pushdown blocks found); update tools/db/ferretdb/overlay.`);
  writeFileSync(path.join(backendDir, 'collection.go'), patched);
  patchIdColumn(path.join(backendDir, 'metadata', 'metadata.go'));
  cpSync(path.join(FERRETDB_SOURCE, 'overlay', 'pushdown.go'), path.join(backendDir, 'pushdown.go'));
  patchUpdateCommand(sourceDir);

  const modfile = path.join(PATCH_DIR, 'go.mod');
  const goMod = readFileSync(path.join(FERRETDB_SOURCE, 'go.mod'), 'utf8');
  writeFileSync(modfile, `${goMod}\nreplace github.com/FerretDB/FerretDB => ${sourceDir}\n`);
  cpSync(path.join(FERRETDB_SOURCE, 'go.sum'), path.join(PATCH_DIR, 'go.sum'));
  return modfile;
}

/** Builds the FerretDB wrapper when missing or older than its source. Needs Go. */
function ensureFerretDbBinary(log: (line: string) => void = console.log): string {
  if (existsSync(FERRETDB_BINARY) && statSync(FERRETDB_BINARY).mtimeMs >= newestMtime(FERRETDB_SOURCE)) {
    return FERRETDB_BINARY;
  }
  const wanted = requiredGoVersion();
  if (!findOnPath('go')) {
    throw new Error(
      `The FerretDB fallback needs Go ${wanted} to build (https://go.dev/dl/); or put a mongod on PATH, or set MONGODB_URI (TEST_MONGODB_URI for tests).`,
    );
  }
  const found = /go(\d+(?:\.\d+)*)/.exec(execFileSync('go', ['version'], { encoding: 'utf8' }))?.[1] ?? '0';
  if (olderThan(found, wanted)) {
    throw new Error(
      `The FerretDB fallback needs Go ${wanted} to build; found Go ${found} (https://go.dev/dl/). Or put a mongod on PATH, or set MONGODB_URI.`,
    );
  }
  log(`Building FerretDB v1.24.2 with Go ${found} (needs ${wanted}) into .tools/bin — first run only, ~2 min:`);
  const startedAt = Date.now();
  const ticker = setInterval(() => log(`  …still building (${Math.round((Date.now() - startedAt) / 1000)} s)`), 15_000);
  try {
    log('  fetching and patching the FerretDB module…');
    const modfile = preparePatchedFerretDb();
    log('  compiling (go build -v lists each package)…');
    execFileSync('go', ['build', '-v', `-modfile=${modfile}`, '-o', FERRETDB_BINARY, '.'], { cwd: FERRETDB_SOURCE, stdio: 'inherit' });
  } finally {
    clearInterval(ticker);
  }
  log(`  built in ${Math.round((Date.now() - startedAt) / 1000)} s`);
  return FERRETDB_BINARY;
}

function olderThan(version: string, minimum: string): boolean {
  const have = version.split('.').map(Number);
  const need = minimum.split('.').map(Number);
  for (let index = 0; index < Math.max(have.length, need.length); index += 1) {
    const difference = (have[index] ?? 0) - (need[index] ?? 0);
    if (difference !== 0) return difference < 0;
  }
  return false;
}

/** The `go` directive of tools/db/ferretdb/go.mod, e.g. "1.26.8". */
function requiredGoVersion(): string {
  return /^go (\S+)$/m.exec(readFileSync(path.join(FERRETDB_SOURCE, 'go.mod'), 'utf8'))?.[1] ?? 'of tools/db/ferretdb/go.mod';
}

type Engine = { kind: 'mongod'; binary: string; source: string; standalone?: boolean } | { kind: 'ferretdb'; binary: string };

function withTopology(engine: Engine, standalone: boolean): Engine {
  return engine.kind === 'mongod' ? { ...engine, standalone } : engine;
}

/** Set by a process that found no mongodb-memory-server binary, so the processes it starts (test workers) do not ask again. */
const MEMORY_SERVER_SKIPPED = 'LOCAL_DB_MEMORY_SERVER_SKIPPED';

let chosen: Engine | undefined;

/** The server to launch on this machine, chosen once per process (steps 2–4 above), with each skipped step printed. */
function localEngine(log: (line: string) => void): Engine {
  chosen ??= chooseEngine(log);
  return chosen;
}

function chooseEngine(log: (line: string) => void): Engine {
  const mongod = findMongodBinary(log);
  return mongod.kind === 'binary'
    ? { kind: 'mongod', binary: mongod.path, source: mongod.source }
    : { kind: 'ferretdb', binary: ensureFerretDbBinary(log) };
}

/** A real mongod binary (steps 2–3), or why there is none; also for tests that start a replica set of their own. */
export function findMongodBinary(
  log: (line: string) => void = console.log,
): { kind: 'binary'; path: string; source: string } | { kind: 'unavailable'; reason: string } {
  const onPath = findOnPath('mongod');
  if (onPath) return { kind: 'binary', path: onPath, source: 'mongod on PATH' };
  log('  skipped: no mongod on PATH');
  const skipped = process.env[MEMORY_SERVER_SKIPPED];
  const fetched = skipped ? ({ kind: 'unavailable', reason: skipped } as const) : fetchMongodBinary();
  if (fetched.kind === 'binary') return { ...fetched, source: 'mongodb-memory-server' };
  process.env[MEMORY_SERVER_SKIPPED] = fetched.reason;
  log(`  skipped: mongodb-memory-server has no mongod binary: ${fetched.reason}`);
  return { kind: 'unavailable', reason: `no mongod on PATH, and mongodb-memory-server has none: ${fetched.reason}` };
}

/** What the launcher runs on this machine (building or fetching it now if need be), for set-up steps to print. */
export function ensureLocalDbServer(log: (line: string) => void = console.log): string {
  const engine = localEngine(log);
  return engine.kind === 'mongod'
    ? `mongod at ${engine.binary} (${engine.source}), as a single-node replica set`
    : `FerretDB at ${engine.binary} (offline fallback)`;
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

const REPLICA_SET = 'rs0';

function spawnServer(engine: Engine, dataDir: string, port: number, quiet: boolean): ChildProcess {
  const [command, args] =
    engine.kind === 'mongod'
      ? [
          engine.binary,
          [
            '--dbpath',
            mongodDataDir(dataDir),
            '--port',
            String(port),
            '--bind_ip',
            '127.0.0.1',
            ...(engine.standalone ? [] : ['--replSet', REPLICA_SET]),
            '--quiet',
          ],
        ]
      : [engine.binary, ['--listen-addr', `127.0.0.1:${port}`, '--sqlite-url', `file:${dataDir}/`]];
  return spawn(command, args, { stdio: ['ignore', quiet ? 'ignore' : 'inherit', 'inherit'] });
}

/** mongod's files in a folder of their own, so a data folder FerretDB used before (its .sqlite files) stays as it was. */
function mongodDataDir(dataDir: string): string {
  const dir = path.join(dataDir, 'mongod');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * Makes the mongod the primary of a one-member replica set: initiates it on
 * first start, and on a restart at another port (dev data kept across runs)
 * rewrites the member's address, which would otherwise leave no primary.
 */
async function becomePrimary(uri: string, port: number, timeoutMs = 30_000): Promise<void> {
  const client = new MongoClient(uri, { directConnection: true, serverSelectionTimeoutMS: 2_000 });
  const admin = client.db('admin');
  const host = `127.0.0.1:${port}`;
  try {
    await admin.command({ replSetInitiate: { _id: REPLICA_SET, members: [{ _id: 0, host }] } }).catch(async (error: unknown) => {
      const ALREADY_INITIALIZED = 23;
      if (!(error instanceof MongoServerError && error.code === ALREADY_INITIALIZED)) throw error;
      const { config } = await admin.command({ replSetGetConfig: 1 });
      if (config.members?.[0]?.host === host) return;
      await admin.command({ replSetReconfig: { ...config, version: config.version + 1, members: [{ _id: 0, host }] }, force: true });
    });
    const deadline = Date.now() + timeoutMs;
    while (!(await admin.command({ hello: 1 })).isWritablePrimary) {
      if (Date.now() > deadline) throw new Error(`mongod at ${host} did not become primary within ${timeoutMs / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await client.close();
  }
}

async function describe(uri: string, engine: Engine): Promise<string> {
  // Direct: a mongod not yet initiated as a replica set answers, but is no primary to select.
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 500, directConnection: true });
  try {
    const info = await client.db('admin').command({ buildInfo: 1 });
    return engine.kind === 'ferretdb'
      ? `FerretDB 1.24.2 (SQLite backend, embedded), MongoDB ${String(info.version)} compatible`
      : `MongoDB ${String(info.version)} (${engine.source}, ${engine.standalone ? 'standalone' : 'single-node replica set'})`;
  } finally {
    await client.close();
  }
}

/** Waits until the server answers (and, for mongod, is primary); its description. */
async function waitUntilReady(uri: string, port: number, engine: Engine, child: ChildProcess, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`The local database exited with code ${child.exitCode} while starting.`);
    try {
      const description = await describe(uri, engine);
      if (engine.kind === 'mongod' && !engine.standalone) await becomePrimary(uri, port);
      return description;
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

export async function startLocalDb({
  dataDir,
  port: wanted,
  quiet = true,
  standalone = false,
  existing,
  log = console.log,
}: Options): Promise<LocalDb> {
  const given = existing && process.env[existing];
  if (given) return existingServer(given, existing, log);
  if (existing) log(`  skipped: ${existing} is not set`);
  const engine = withTopology(localEngine(log), standalone);
  mkdirSync(dataDir, { recursive: true });
  const port = wanted ?? (await freePort());
  const uri = `mongodb://127.0.0.1:${port}/`;
  let child = spawnServer(engine, dataDir, port, quiet);
  const description = await waitUntilReady(uri, port, engine, child);
  // SIGKILL, not SIGTERM: a frozen server would hold SIGTERM until it is thawed.
  const cleanup = () => child.kill('SIGKILL');
  process.once('exit', cleanup);

  return {
    uri,
    port,
    dataDir,
    description,
    existing: false,
    async stop() {
      process.off('exit', cleanup);
      child.kill('SIGCONT');
      await stopChild(child);
    },
    async restart() {
      process.off('exit', cleanup);
      child.kill('SIGCONT');
      await stopChild(child);
      child = spawnServer(engine, dataDir, port, quiet);
      await waitUntilReady(uri, port, engine, child);
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

/** A server someone else runs (a CI service container, Atlas): used as it is, never stopped or restarted; it may be down for now. */
async function existingServer(uri: string, variable: string, log: (line: string) => void): Promise<LocalDb> {
  log(`  using ${variable}`);
  const notOurs = () =>
    Promise.reject(new Error(`${variable} names a server this process did not start: it cannot stop, crash or freeze it.`));
  return {
    uri,
    port: Number(/^mongodb:\/\/[^/]*:(\d+)/.exec(uri)?.[1] ?? 27017),
    dataDir: '',
    description: await describeExisting(uri, variable),
    existing: true,
    stop: () => Promise.resolve(),
    restart: notOurs,
    crash: notOurs,
    freeze: notOurs,
    thaw: () => undefined,
  };
}

async function describeExisting(uri: string, variable: string): Promise<string> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 5_000 });
  try {
    const info = await client.db('admin').command({ buildInfo: 1 });
    return `${'ferretdbVersion' in info ? 'FerretDB, MongoDB' : 'MongoDB'} ${String(info.version)} (${variable})`;
  } catch (error) {
    return `the server at ${variable} (not answering yet: ${error instanceof Error ? error.message : String(error)})`;
  } finally {
    await client.close();
  }
}
