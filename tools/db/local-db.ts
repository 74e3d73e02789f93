/**
 * The one database launcher, for `npm run dev`, the test suites, benchmarks
 * and CI. In order (docs/databases.md), printing which it uses and why each
 * earlier choice was skipped:
 *
 * 1. an existing server: MONGODB_URI (dev) or TEST_MONGODB_URI (tests), when
 *    the caller names the variable (`existing`);
 * 2. the `mongod` MONGOMS_SYSTEM_BINARY names, 3. a `mongod` on PATH,
 * 4. mongodb-memory-server's `mongod` (cached, or downloaded once: see
 *    memory-server.ts) — each run as a single-node replica set, so retryable
 *    writes work as on Atlas.
 *
 * With none of them it stops with one line that says what to do.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { MongoClient, MongoServerError } from 'mongodb';
import { fetchMongodBinary } from './memory-server';

/** Where `npm run dev` starts the embedded database when the port is free; doctor looks there too. */
export const DEV_DB_PORT = 27018;

export type LocalDb = {
  uri: string;
  port: number;
  dataDir: string;
  /** e.g. "MongoDB 4.4.6 (mongod on PATH, single-node replica set, unoptimised -O0 build)" */
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
   * Run standalone instead of as a single-node replica set. For a
   * server reached through a proxy: a replica set member announces its own
   * address and the driver would connect there, around the proxy.
   */
  standalone?: boolean;
  /** mongod's `--setParameter`s, e.g. `{ ttlMonitorSleepSecs: 1 }`. */
  serverParameters?: Record<string, string | number>;
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

function isExecutableFile(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

type Engine = { binary: string; source: string; standalone?: boolean; parameters?: Options['serverParameters'] };

/** Set by a process that found no mongodb-memory-server binary, so the processes it starts (test workers) do not ask again. */
const MEMORY_SERVER_SKIPPED = 'LOCAL_DB_MEMORY_SERVER_SKIPPED';

let chosen: Engine | undefined;

/**
 * The mongod to launch on this machine, chosen once per process (steps 2–4
 * above), with each skipped step printed; none: an error whose message is the
 * one line that says what to do.
 */
function localEngine(log: (line: string) => void, existing?: Options['existing']): Engine {
  if (chosen) return chosen;
  const mongod = findMongodBinary(log);
  if (mongod.kind === 'unavailable') {
    const variable = existing ?? 'MONGODB_URI (TEST_MONGODB_URI for the tests)';
    throw new Error(
      `No MongoDB server to run (${mongod.reason}): put a mongod on PATH or name one in MONGOMS_SYSTEM_BINARY, set ${variable} to a running server, or go online once so mongodb-memory-server can download one.`,
    );
  }
  chosen = { binary: mongod.path, source: mongod.source };
  return chosen;
}

/** A real mongod binary (steps 2–4), or why there is none; also for tests that start a replica set of their own. */
export function findMongodBinary(
  log: (line: string) => void = console.log,
): { kind: 'binary'; path: string; source: string } | { kind: 'unavailable'; reason: string } {
  const named = process.env.MONGOMS_SYSTEM_BINARY;
  if (named) {
    if (isExecutableFile(named)) return { kind: 'binary', path: named, source: 'MONGOMS_SYSTEM_BINARY' };
    return { kind: 'unavailable', reason: `MONGOMS_SYSTEM_BINARY names ${named}, which is no executable file` };
  }
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

/** "4.4.6", from `mongod --version` ("db version v4.4.6"). */
function mongodVersion(binary: string): string {
  const output = execFileSync(binary, ['--version'], { encoding: 'utf8', timeout: 60_000 });
  return /db version v?(\S+)/.exec(output)?.[1] ?? 'of unknown version';
}

/**
 * What the launcher runs on this machine (fetching it now if need be), e.g.
 * "MongoDB 4.4.6 (mongod on PATH: /…/bin/mongod), as a single-node replica set",
 * for set-up steps to print.
 */
export function ensureLocalDbServer(log: (line: string) => void = console.log): string {
  const engine = localEngine(log);
  return `MongoDB ${mongodVersion(engine.binary)} (${engine.source}: ${engine.binary}), as a single-node replica set`;
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
  const args = ['--dbpath', mongodDataDir(dataDir), '--port', String(port), '--bind_ip', '127.0.0.1', '--quiet'];
  if (!engine.standalone) args.push('--replSet', REPLICA_SET);
  for (const [name, value] of Object.entries(engine.parameters ?? {})) args.push('--setParameter', `${name}=${value}`);
  return spawn(engine.binary, args, { stdio: ['ignore', quiet ? 'ignore' : 'inherit', 'inherit'] });
}

/** mongod's files in `<dataDir>/mongod`, where `npm run dev` has always kept them in `.data/dev`. */
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
    // A build without optimisation (../shared/mongodb's) costs several times a release build's CPU per operation: figures must say so.
    const unoptimised = /(^|\s)-O0(\s|$)/.test(String(info.buildEnvironment?.ccflags ?? '')) ? ', unoptimised -O0 build' : '';
    return `MongoDB ${String(info.version)} (${engine.source}, ${engine.standalone ? 'standalone' : 'single-node replica set'}${unoptimised})`;
  } finally {
    await client.close();
  }
}

/** Waits until the server answers (and, as a replica set, is primary); its description. */
async function waitUntilReady(uri: string, port: number, engine: Engine, child: ChildProcess, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`The local database exited with code ${child.exitCode} while starting.`);
    try {
      const description = await describe(uri, engine);
      if (!engine.standalone) await becomePrimary(uri, port);
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
  serverParameters,
  existing,
  log = console.log,
}: Options): Promise<LocalDb> {
  const given = existing && process.env[existing];
  if (given) return existingServer(given, existing, log);
  if (existing) log(`  skipped: ${existing} is not set`);
  const engine = { ...localEngine(log, existing), standalone, parameters: serverParameters };
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
    return `MongoDB ${String(info.version)} (${variable})`;
  } catch (error) {
    return `the server at ${variable} (not answering yet: ${error instanceof Error ? error.message : String(error)})`;
  } finally {
    await client.close();
  }
}
