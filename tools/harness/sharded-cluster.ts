/**
 * A sharded cluster of real mongod and mongos processes on one machine, as
 * Atlas or an operator runs one, but small: a config server replica set,
 * shards that are replica sets (replica-set.ts: one member each unless a test
 * needs an electable secondary) and one `mongos` in front, each member with a
 * 0.25 GB cache. Applications are given the mongos's address and nothing
 * else, as in production. The balancer is off: chunks move only when a test
 * moves them (`moveChunk`), so what a test measures does not depend on when
 * the balancer happens to run. Every process is stopped by `stop()`, and
 * killed when the process that started them exits without it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { Long, MaxKey, MinKey, MongoClient, type Document } from 'mongodb';
import { findMongodBinary, freePort, stopChild } from '../db/local-db';
import { startReplicaSet, type ReplicaSet } from './replica-set';

export type Shard = ReplicaSet & {
  /** The shard's name in the cluster (also its replica set's name). */
  name: string;
};

export type ShardedCluster = {
  /** The mongos, as an application is given it: `mongodb://127.0.0.1:<port>/`. */
  uri: string;
  /** e.g. "MongoDB 4.4.6 (mongod on PATH), sharded cluster: 2 shards (two-member, single-member replica sets), …" */
  description: string;
  shards: readonly Shard[];
  /** The config server replica set. */
  configServers: ReplicaSet;
  /** Runs a command through the mongos, in `admin` unless `database` names another. */
  command(command: Document, database?: string): Promise<Document>;
  stop(): Promise<void>;
};

type Options = {
  /** Each process's data in a folder of its own below this one. */
  dataDir: string;
  /** Where the processes' logs go (default: `dataDir`), named after `logPrefix`. */
  logDir?: string;
  logPrefix?: string;
  /** Members per shard, one entry per shard (default: two shards of one member each). */
  shardMembers?: readonly number[];
};

const SHARD_NAMES = ['shard-a', 'shard-b', 'shard-c', 'shard-d'];
/** How long the mongos may take to answer, a bound rather than a wait. */
const WITHIN_MS = 60_000;

/** mongos, from the folder of the mongod the launcher uses, else from PATH; or why there is none. */
export function findMongosBinary(): { kind: 'binary'; path: string; source: string } | { kind: 'unavailable'; reason: string } {
  const mongod = findMongodBinary(() => undefined);
  if (mongod.kind === 'unavailable') return mongod;
  const candidates = [
    path.join(path.dirname(mongod.path), 'mongos'),
    ...(process.env.PATH ?? '').split(path.delimiter).map((dir) => dir && path.join(dir, 'mongos')),
  ];
  const found = candidates.find((candidate) => candidate && existsSync(candidate));
  if (found) return { kind: 'binary', path: found, source: mongod.source };
  return { kind: 'unavailable', reason: `no mongos beside ${mongod.path} or on PATH (mongodb-memory-server ships none)` };
}

async function mongosCommand(uri: string, command: Document, database = 'admin', timeoutMs = 30_000): Promise<Document> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: timeoutMs, directConnection: true });
  try {
    return await client.db(database).command(command);
  } finally {
    await client.close().catch(() => undefined);
  }
}

/** The server's version and whether it is an unoptimised build (../shared/mongodb's is), from buildInfo. */
async function buildOf(uri: string): Promise<{ version: string; unoptimised: boolean }> {
  const info = await mongosCommand(uri, { buildInfo: 1 });
  return { version: String(info.version), unoptimised: /(^|\s)-O0(\s|$)/.test(String(info.buildEnvironment?.ccflags ?? '')) };
}

export async function startShardedCluster({
  dataDir,
  logDir = dataDir,
  logPrefix = 'sharded',
  shardMembers = [1, 1],
}: Options): Promise<ShardedCluster> {
  const mongos = findMongosBinary();
  if (mongos.kind === 'unavailable') throw new Error(`no sharded cluster can be started here: ${mongos.reason}`);
  if (shardMembers.length > SHARD_NAMES.length) throw new Error(`at most ${SHARD_NAMES.length} shards`);
  mkdirSync(logDir, { recursive: true });

  const sets: ReplicaSet[] = [];
  let router: ChildProcess | undefined;
  const killRouterOnExit = () => router?.kill('SIGKILL');
  process.once('exit', killRouterOnExit);
  const stop = async () => {
    process.off('exit', killRouterOnExit);
    if (router) await stopChild(router);
    await Promise.all(sets.map((set) => set.stop()));
  };

  const startSet = async (name: string, members: number, clusterRole: 'configsvr' | 'shardsvr') => {
    const set = await startReplicaSet({
      dataDir: path.join(dataDir, name),
      logDir,
      logPrefix: `${logPrefix}-${name}`,
      name,
      members,
      clusterRole,
    });
    sets.push(set);
    return set;
  };

  try {
    // The sets come up side by side: each mostly waits for its own election.
    const started = await Promise.allSettled([
      startSet('config', 1, 'configsvr'),
      ...shardMembers.map((members, index) => startSet(SHARD_NAMES[index]!, members, 'shardsvr')),
    ]);
    const failed = started.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
    const [configServers, ...shardSets] = started.map((result) => (result as PromiseFulfilledResult<ReplicaSet>).value);

    const port = await freePort();
    const logFile = path.join(logDir, `${logPrefix}-mongos.log`);
    rmSync(logFile, { force: true });
    const configHosts = configServers!.members.map(({ host }) => host).join(',');
    router = spawn(
      mongos.path,
      ['--configdb', `config/${configHosts}`, '--port', String(port), '--bind_ip', '127.0.0.1', '--logpath', logFile],
      { stdio: 'ignore' },
    );
    const uri = `mongodb://127.0.0.1:${port}/`;
    const deadline = Date.now() + WITHIN_MS;
    while (!(await mongosCommand(uri, { ping: 1 }, 'admin', 1_000).catch(() => undefined))) {
      if (router.exitCode !== null) throw new Error(`mongos exited with code ${router.exitCode} while starting (log: ${logFile})`);
      if (Date.now() > deadline) throw new Error(`mongos did not answer within ${WITHIN_MS / 1000} s (log: ${logFile})`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    const shards = shardSets.map((set, index): Shard => ({ ...set, name: SHARD_NAMES[index]! }));
    for (const shard of shards) {
      await mongosCommand(uri, { addShard: `${shard.name}/${shard.members.map(({ host }) => host).join(',')}`, name: shard.name });
    }
    await mongosCommand(uri, { balancerStop: 1 });

    const { version, unoptimised } = await buildOf(uri);
    const sizes = shards.map((shard) => shard.description.replace(/^.*, /, '').replace(/ replica set$/, '')).join(', ');
    return {
      uri,
      description: `MongoDB ${version} (${mongos.source}), sharded cluster: ${shards.length} shards (${sizes} replica sets), a config server replica set, one mongos${unoptimised ? ', unoptimised -O0 build' : ''}`,
      shards,
      configServers: configServers!,
      command: (command, database) => mongosCommand(uri, command, database),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** One operation a shard ran, as its profiler recorded it. */
export type ShardOperation = {
  shard: string;
  collection: string;
  /** The profiler's `op`: query, getmore, insert, update, remove, command (findAndModify, aggregate, …). */
  op: string;
  command: Document;
};

/**
 * Every operation on `database` the shards themselves ran while `work` ran
 * (each shard primary's profiler, level 2, on for that time only): which
 * shards mongos sent each read and write to, seen from the shards rather
 * than from mongos's own account. An attempt a shard refused as misrouted
 * (StaleConfig: mongos's routing table was out of date, it refreshes and
 * sends it again) is left out: it reached no data.
 */
export async function operationsOnShards(
  cluster: ShardedCluster,
  database: string,
  work: () => Promise<unknown>,
): Promise<ShardOperation[]> {
  const primaries = await Promise.all(cluster.shards.map(async (shard) => ({ shard: shard.name, member: await shard.primary() })));
  const setProfiling = (level: number) => Promise.all(primaries.map(({ member }) => member.command({ profile: level }, { database })));
  await setProfiling(0);
  await Promise.all(primaries.map(({ member }) => member.command({ drop: 'system.profile' }, { database }).catch(() => undefined)));
  await setProfiling(2);
  try {
    await work();
  } finally {
    await setProfiling(0);
  }
  const STALE_CONFIG = 13388;
  const perShard = await Promise.all(
    primaries.map(async ({ shard, member }) => {
      const { cursor } = await member.command({ find: 'system.profile', filter: {}, batchSize: 100_000 }, { database });
      return (cursor.firstBatch as Document[])
        .filter((entry) => entry.errCode !== STALE_CONFIG && typeof entry.ns === 'string' && entry.ns.startsWith(`${database}.`))
        .map((entry): ShardOperation => ({
          shard,
          collection: entry.ns.slice(database.length + 1),
          op: entry.op,
          command: entry.command ?? {},
        }))
        .filter(({ collection }) => !collection.startsWith('system.') && collection !== '$cmd');
    }),
  );
  return perShard.flat();
}

/**
 * The value a hashed index (and so a hashed shard key) holds for a string:
 * MongoDB's BSONElementHasher::hash64 with seed 0 — MD5 over the seed, the
 * string's canonical BSON type (15) and its BSON value (length with the
 * terminating NUL, the UTF-8 bytes, the NUL), the digest's first 8 bytes as
 * a little-endian signed integer. Lets a test tell which chunk a user's
 * document is in without asking the server for each.
 */
export function hashedKeyOf(value: string): bigint {
  const text = Buffer.from(value, 'utf8');
  const input = Buffer.alloc(12 + text.length + 1);
  input.writeInt32LE(0, 0);
  input.writeInt32LE(15, 4);
  input.writeInt32LE(text.length + 1, 8);
  text.copy(input, 12);
  return createHash('md5').update(input).digest().readBigInt64LE(0);
}

/** A chunk bound of a hashed key, as config.chunks holds it (a number, a Long, MinKey or MaxKey), comparable with `hashedKeyOf`. */
export function hashedBound(bound: unknown): bigint | number {
  if (typeof bound === 'number') return BigInt(bound);
  if (bound instanceof Long) return bound.toBigInt();
  if (bound instanceof MinKey) return -Infinity;
  if (bound instanceof MaxKey) return Infinity;
  throw new Error(`not a bound of a hashed key: ${String(bound)}`);
}

/** The shard whose chunk (of `chunks`, config.chunks entries of one collection hashed on `field`) holds `value`. */
export function shardHolding(chunks: readonly Document[], field: string, value: string): string {
  const key = hashedKeyOf(value);
  const chunk = chunks.find(({ min, max }) => hashedBound(min[field]) <= key && key < hashedBound(max[field]));
  if (!chunk) throw new Error(`no chunk holds ${field} ${value}`);
  return String(chunk.shard);
}
