/**
 * The system under test for the benchmark and the fault run: a fresh embedded
 * database (or a three-member replica set: replica-set.ts; or a sharded
 * cluster behind a mongos: sharded-cluster.ts) and the production
 * build of the app (`next start`, no -H) on free ports, configured like a
 * Clerk development instance that is never called.
 * The build (.next-harness; .next-bench for the benchmark's build, the only
 * one with its routes) is reused while the sources that go into it are
 * unchanged (committed and uncommitted alike).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MongoClient, type Db } from 'mongodb';
import { startLocalDb, type LocalDb } from '../db/local-db';
import { buildApp, startApp, TEST_CLERK_KEYS, type NextServer } from './next-server';
import { startReplicaSet, type ReplicaSet } from './replica-set';
import { startShardedCluster, type ShardedCluster } from './sharded-cluster';
import { newWebhookSecret } from 'clerk-mongo-sync/testing';

const ROOT = path.resolve(__dirname, '..', '..');
const LOG_DIR = path.join(ROOT, 'tests', '.artifacts', 'harness');
/** What `next build` compiles (the engine package through its build, from its sources); a change to any of them means a new build. */
const BUILD_INPUTS = [
  'app',
  'lib',
  'components',
  'packages',
  'tools/bench/routes.ts',
  'middleware.ts',
  'next.config.ts',
  'package.json',
  'package-lock.json',
];
/** Any call to Clerk's Backend API is refused at once (a closed local port): nothing leaves the machine. */
const BUILD_ENV = { ...TEST_CLERK_KEYS, CLERK_API_URL: 'http://127.0.0.1:9' };
const DATABASE_NAME = 'harness';

/** One `next start` process; several share one database like function instances on Vercel. */
export type AppInstance = {
  origin: string;
  /** The process serving now (a restart changes it). */
  readonly pid: number;
  /** SIGKILL: requests in flight get no answer, the port refuses until `restart()`. */
  crash(): Promise<void>;
  /** Starts the instance again on the same port; resolves once it answers. */
  restart(): Promise<void>;
};

export type HarnessServer = {
  /** The first instance's origin. */
  origin: string;
  apps: AppInstance[];
  /** The embedded database: stop() and restart() it to simulate an outage. */
  localDb: LocalDb;
  /** The app database, read and cleared by the harness through a client of its own. */
  db: Db;
  /** The signing secret the app was started with. */
  secret: string;
  logFile: string;
  /**
   * With `cpuProfileDir`: runs `work` with the first instance's CPU profiler on, and returns
   * the profile's file (`<name>.cpuprofile`) beside work's result.
   */
  profile<T>(name: string, work: () => Promise<T>): Promise<{ result: T; file: string }>;
  stop(): Promise<void>;
};

/** The same, serving from a three-member replica set (`replicaSet: true`) instead of one embedded database. */
export type ReplicaSetHarnessServer = Omit<HarnessServer, 'localDb'> & { replicaSet: ReplicaSet };

/** The same, serving through the mongos of a sharded cluster (`sharded`), the app given the mongos's address only. */
export type ShardedHarnessServer = Omit<HarnessServer, 'localDb'> & { cluster: ShardedCluster };

type Options = {
  /** Run the benchmark's build, the only one with the benchmark-only routes. */
  benchRoutes: boolean;
  /** Names the server log in tests/.artifacts/harness. */
  name: string;
  log?: (line: string) => void;
  /** Enables `profile()`: V8 CPU profiles of the first `next start`, written into this folder. */
  cpuProfileDir?: string;
  /** How many `next start` processes serve the one database (default 1). */
  instances?: number;
  /** Serve from a three-member replica set whose members a test can kill and restart (default: one embedded database). */
  replicaSet?: boolean;
  /** Serve through a sharded cluster's mongos; `shardMembers`: members per shard (default two shards of one). */
  sharded?: { shardMembers?: readonly number[] };
};

type Build = { distDir: string; env: Record<string, string> };

function buildFor(benchRoutes: boolean): Build {
  return benchRoutes ? { distDir: '.next-bench', env: { ...BUILD_ENV, BENCH_BUILD: '1' } } : { distDir: '.next-harness', env: BUILD_ENV };
}

/** Identifies the build inputs' content; undefined outside a git checkout (then every run builds). */
function sourceFingerprint(build: Build): string | undefined {
  try {
    return gitFingerprint(build);
  } catch {
    return undefined;
  }
}

function gitFingerprint(build: Build): string {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: ROOT, maxBuffer: 512 * 1024 * 1024 });
  const hash = createHash('sha256');
  // The committed inputs by content, not the commit id: commits that touch only tests or docs keep the build.
  hash.update(git('ls-tree', '-r', 'HEAD', '--', ...BUILD_INPUTS));
  hash.update(git('diff', 'HEAD', '--binary', '--', ...BUILD_INPUTS));
  const untracked = git('ls-files', '-z', '--others', '--exclude-standard', '--', ...BUILD_INPUTS)
    .toString()
    .split('\0');
  for (const file of untracked.filter(Boolean).sort()) hash.update(file).update(readFileSync(path.join(ROOT, file)));
  return hash.update(JSON.stringify(build.env)).digest('hex');
}

/** One builder at a time across processes; a lock older than the longest build is a leftover. */
async function withBuildLock<T>(lock: string, work: () => T): Promise<T> {
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 10 * 60_000) rmSync(lock, { recursive: true, force: true });
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }
  try {
    return work();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function ensureBuild(build: Build, log: (line: string) => void): Promise<void> {
  const stamp = path.join(ROOT, build.distDir, 'harness-build-stamp');
  return withBuildLock(path.join(ROOT, `${build.distDir}.lock`), () => {
    const fingerprint = sourceFingerprint(build);
    if (fingerprint && existsSync(stamp) && readFileSync(stamp, 'utf8') === fingerprint) {
      log(`reusing the production build in ${build.distDir} (sources unchanged)`);
      return;
    }
    const startedAt = Date.now();
    log(`next build into ${build.distDir}…`);
    rmSync(stamp, { force: true });
    buildApp(build);
    // The fingerprint from before the build: a source edited meanwhile means a rebuild next time.
    if (fingerprint) writeFileSync(stamp, fingerprint);
    log(`built in ${Math.round((Date.now() - startedAt) / 1000)} s`);
  });
}

/**
 * The production build (no benchmark routes) the fault run and the doctor's
 * tests share, built once while its sources stay unchanged; returns where it
 * is and the env it was built with (which its server needs too).
 */
export async function ensureProductionBuild(log: (line: string) => void = () => {}): Promise<Build> {
  const build = buildFor(false);
  await ensureBuild(build, log);
  return build;
}

function profilerEnv(dir: string): Record<string, string> {
  mkdirSync(dir, { recursive: true });
  const preload = `--import=${path.join(__dirname, 'cpu-profiler.mjs')}`;
  return { HARNESS_CPU_PROFILE_DIR: dir, NODE_OPTIONS: [process.env.NODE_OPTIONS, preload].filter(Boolean).join(' ') };
}

export function startHarnessServer(options: Options & { replicaSet: true }): Promise<ReplicaSetHarnessServer>;
export function startHarnessServer(options: Options & { sharded: NonNullable<Options['sharded']> }): Promise<ShardedHarnessServer>;
export function startHarnessServer(options: Options & { replicaSet?: false; sharded?: undefined }): Promise<HarnessServer>;
export async function startHarnessServer({
  benchRoutes,
  name,
  log = console.log,
  cpuProfileDir,
  instances = 1,
  replicaSet = false,
  sharded,
}: Options): Promise<HarnessServer | ReplicaSetHarnessServer | ShardedHarnessServer> {
  const dataDir = mkdtempSync(path.join(tmpdir(), `clerk-mongo-sync-${name}-`));
  mkdirSync(LOG_DIR, { recursive: true });
  const logFile = path.join(LOG_DIR, `${name}-server.log`);
  const serverLog = createWriteStream(logFile);
  const secret = newWebhookSecret();
  let database: Pick<LocalDb, 'uri' | 'description' | 'stop'> | undefined;
  let client: MongoClient | undefined;
  const running = new Set<NextServer>();

  // A harness that dies must not leave `next start` behind (the database has its own exit hook).
  const stopAppsOnExit = () => running.forEach((app) => void app.crash());
  process.once('exit', stopAppsOnExit);
  const stop = async () => {
    process.off('exit', stopAppsOnExit);
    await client?.close().catch(() => undefined);
    await Promise.all([...running].map((app) => app.stop()));
    await database?.stop();
    serverLog.end();
    rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    const started: { replicaSet: ReplicaSet } | { cluster: ShardedCluster } | { localDb: LocalDb } = sharded
      ? { cluster: await startShardedCluster({ dataDir, logDir: LOG_DIR, logPrefix: name, shardMembers: sharded.shardMembers }) }
      : replicaSet
        ? { replicaSet: await startReplicaSet({ dataDir, logDir: LOG_DIR, logPrefix: name }) }
        : { localDb: await startLocalDb({ dataDir }) };
    const serving = 'replicaSet' in started ? started.replicaSet : 'cluster' in started ? started.cluster : started.localDb;
    database = serving;
    const { uri } = serving;
    log(`database: ${serving.description} at ${uri}`);
    const build = buildFor(benchRoutes);
    await ensureBuild(build, log);
    const appEnv = {
      ...build.env,
      MONGODB_URI: uri,
      MONGODB_DB: DATABASE_NAME,
      CLERK_WEBHOOK_SECRET: secret,
      ADMIN_USER_IDS: '',
      ...(cpuProfileDir ? profilerEnv(cpuProfileDir) : {}),
    };
    const launch = async (port?: number) => {
      const app = await startApp({ distDir: build.distDir, env: appEnv, port, onOutput: (text) => serverLog.write(text) });
      running.add(app);
      return app;
    };
    const apps: AppInstance[] = [];
    for (let i = 0; i < instances; i++) {
      let current = await launch();
      apps.push({
        origin: current.origin,
        get pid() {
          return current.pid;
        },
        async crash() {
          running.delete(current);
          await current.crash();
        },
        async restart() {
          current = await launch(current.port);
        },
      });
    }
    log(`app: ${instances} × next start at ${apps.map(({ origin }) => origin).join(', ')} (log: ${path.relative(ROOT, logFile)})`);
    client = new MongoClient(uri, { serverSelectionTimeoutMS: 10_000 });
    const profile = <T>(name: string, work: () => Promise<T>) => {
      if (!cpuProfileDir) throw new Error('profile() needs a harness server started with cpuProfileDir');
      return profiled(cpuProfileDir, apps[0]!.pid, name, work);
    };
    return { origin: apps[0]!.origin, apps, ...started, db: client.db(DATABASE_NAME), secret, logFile, profile, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The protocol of cpu-profiler.mjs: the profile's name in a file, then SIGUSR2 to start and again to stop. */
async function profiled<T>(dir: string, pid: number, name: string, work: () => Promise<T>): Promise<{ result: T; file: string }> {
  const file = path.join(dir, `${name}.cpuprofile`);
  rmSync(file, { force: true });
  writeFileSync(path.join(dir, 'next-profile-name'), name);
  process.kill(pid, 'SIGUSR2');
  let result: T;
  try {
    result = await work();
  } finally {
    process.kill(pid, 'SIGUSR2');
  }
  const deadline = Date.now() + 60_000;
  while (!existsSync(file)) {
    if (Date.now() > deadline) throw new Error(`the app wrote no CPU profile ${file} within 60 s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { result, file };
}

/** Empties collections between runs (documents only: the app's indexes stay). */
export async function clearCollections(db: Db, names: string[]): Promise<void> {
  for (const name of names) await db.collection(name).deleteMany({});
}
