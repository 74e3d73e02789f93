/**
 * A replica set of real mongod processes, three members as Atlas runs one (or
 * fewer, as the shards of sharded-cluster.ts), for the failover and
 * concurrency tests: each member its own process, port, data
 * folder and log, so one member can be SIGKILLed and later started again on
 * its data, and elections can be held back until a test lets them happen.
 * Spawned here rather than through mongodb-memory-server, whose instance
 * state machine does not expect its process to be killed under it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { MongoClient, type Document } from 'mongodb';
import { findMongodBinary, freePort, killChild, stopChild } from '../db/local-db';

export type ReplicaSetMember = {
  /** `127.0.0.1:<port>`, as the replica set's configuration names it. */
  host: string;
  port: number;
  /** The member's own mongod log (JSON lines), kept across its restarts. */
  logFile: string;
  /** SIGKILL, no drain; resolves once the process has exited. */
  crash(): Promise<void>;
  /** Starts the member again on its port and data; resolves once it is a primary or secondary again. */
  restart(): Promise<void>;
  /** Runs a command on this member alone (a direct connection), in `admin` unless `database` names another. */
  command(command: Document, options?: CommandOptions): Promise<Document>;
};

export type ReplicaSet = {
  /** A connection string naming every member, as an application is given. */
  uri: string;
  /** e.g. "MongoDB 4.4.6 (mongod on PATH), three-member replica set" */
  description: string;
  members: readonly ReplicaSetMember[];
  /** The member that is the writable primary, once there is one. */
  primary(): Promise<ReplicaSetMember>;
  /** Keeps `members` from standing for election (`replSetFreeze`) until `elect()`; they still vote. */
  holdElections(members: readonly ReplicaSetMember[]): Promise<void>;
  /** Lets `candidates` stand again and has the most up-to-date one call an election; resolves once a primary is elected. */
  elect(candidates: readonly ReplicaSetMember[]): Promise<ReplicaSetMember>;
  stop(): Promise<void>;
};

type CommandOptions = { database?: string; timeoutMs?: number };

type Options = {
  /** Each member's data in a folder of its own below this one. */
  dataDir: string;
  /** Where the members' logs go (default: `dataDir`); `logPrefix` names them. */
  logDir?: string;
  logPrefix?: string;
  /** The set's name (default `rs-harness`). */
  name?: string;
  /** How many members (default three, as Atlas runs a set). */
  members?: number;
  /** The set's role in a sharded cluster (sharded-cluster.ts): mongod's `--configsvr` or `--shardsvr`. */
  clusterRole?: 'configsvr' | 'shardsvr';
};

const MEMBER_COUNT_NAMES = ['', 'single-member', 'two-member', 'three-member'];
/** How long a member may take to come up, or an election to finish, before the harness fails: a bound, not a wait. */
const WITHIN_MS = 60_000;
/** Longer than any test holds an election back. */
const FREEZE_SECONDS = 3_600;

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + WITHIN_MS;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`replica set: not within ${WITHIN_MS / 1000} s: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Runs `command` on the member at `port` alone; rejects when it does not answer within `timeoutMs`. */
async function directCommand(
  port: number,
  command: Document,
  { database = 'admin', timeoutMs = 5_000 }: CommandOptions = {},
): Promise<Document> {
  const client = new MongoClient(`mongodb://127.0.0.1:${port}/`, {
    directConnection: true,
    serverSelectionTimeoutMS: timeoutMs,
    connectTimeoutMS: timeoutMs,
    socketTimeoutMS: timeoutMs,
  });
  try {
    return await client.db(database).command(command);
  } finally {
    await client.close().catch(() => undefined);
  }
}

/** The member's `hello`, or undefined while it does not answer. */
function hello(member: ReplicaSetMember): Promise<Document | undefined> {
  return member.command({ hello: 1 }, { timeoutMs: 1_000 }).catch(() => undefined);
}

/** The member's last write, comparable across members ([term, timestamp]); undefined while it does not answer. */
async function lastWrite(member: ReplicaSetMember): Promise<bigint | undefined> {
  const answer = await hello(member);
  const opTime = answer?.lastWrite?.opTime;
  if (!opTime) return undefined;
  return (BigInt(opTime.t ?? 0) << 64n) + BigInt(opTime.ts?.toString() ?? 0);
}

export async function startReplicaSet({
  dataDir,
  logDir = dataDir,
  logPrefix = 'replica-set',
  name = 'rs-harness',
  members: memberCount = 3,
  clusterRole,
}: Options): Promise<ReplicaSet> {
  const mongod = findMongodBinary(() => undefined);
  if (mongod.kind === 'unavailable') throw new Error(`no replica set can be started here: ${mongod.reason}`);
  mkdirSync(logDir, { recursive: true });
  const children = new Set<ChildProcess>();
  const killAllOnExit = () => children.forEach((child) => child.kill('SIGKILL'));
  process.once('exit', killAllOnExit);

  const launch = (port: number, dbPath: string, logFile: string) => {
    mkdirSync(dbPath, { recursive: true });
    const args = ['--dbpath', dbPath, '--port', String(port), '--bind_ip', '127.0.0.1', '--replSet', name];
    if (clusterRole) args.push(`--${clusterRole}`);
    // Small members (the machine runs three, beside the apps), their logs appended across restarts.
    args.push('--wiredTigerCacheSizeGB', '0.25', '--oplogSize', '256', '--logpath', logFile, '--logappend');
    const child = spawn(mongod.path, args, { stdio: 'ignore' });
    children.add(child);
    child.once('exit', () => children.delete(child));
    return child;
  };

  const members: ReplicaSetMember[] = [];
  for (let index = 0; index < memberCount; index++) {
    const port = await freePort();
    const dbPath = path.join(dataDir, `member-${index}`);
    const logFile = path.join(logDir, `${logPrefix}-member-${index}.log`);
    rmSync(logFile, { force: true }); // this run's log only; restarts append to it
    let child = launch(port, dbPath, logFile);
    const member: ReplicaSetMember = {
      host: `127.0.0.1:${port}`,
      port,
      logFile,
      crash: () => killChild(child),
      async restart() {
        await stopChild(child);
        child = launch(port, dbPath, logFile);
        await until(`${member.host} is a primary or secondary again after its restart (log: ${logFile})`, async () => {
          const answer = await hello(member);
          return answer?.isWritablePrimary || answer?.secondary ? true : undefined;
        });
      },
      command: (command, options) => directCommand(port, command, options),
    };
    members.push(member);
  }

  const stop = async () => {
    process.off('exit', killAllOnExit);
    await Promise.all([...children].map((child) => stopChild(child)));
  };

  try {
    const [first] = members;
    // Every member, not just the first: replSetInitiate's quorum check refuses a member not listening yet
    // (a member slow to start on a loaded machine failed the run before).
    for (const member of members) await until(`${member.host} answers (log: ${member.logFile})`, () => hello(member));
    await first!.command({
      replSetInitiate: {
        _id: name,
        ...(clusterRole === 'configsvr' ? { configsvr: true } : {}),
        members: members.map(({ host }, index) => ({ _id: index, host })),
      },
    });
    const primary = async () => {
      for (const member of members) if ((await hello(member))?.isWritablePrimary) return member;
      return undefined;
    };
    // The first election at once, as soon as the first member can stand, rather than after the election timeout (10 s).
    await until('a primary is elected', async () => {
      const elected = await primary();
      if (!elected && (await hello(first!))?.secondary) await first!.command({ replSetStepUp: 1 }).catch(() => undefined);
      return elected;
    });
    // Every member in the set: a majority write concern needs two, and a failover needs the third.
    await until('every member is a primary or secondary', async () => {
      const states = await Promise.all(members.map(hello));
      return states.every((state) => state?.isWritablePrimary || state?.secondary) ? true : undefined;
    });
    const version = (await first!.command({ buildInfo: 1 })).version as string;
    return {
      uri: `mongodb://${members.map(({ host }) => host).join(',')}/?replicaSet=${name}`,
      description: `MongoDB ${version} (${mongod.source}), ${MEMBER_COUNT_NAMES[memberCount] ?? `${memberCount}-member`} replica set`,
      members,
      primary: () => until('a writable primary', primary),
      async holdElections(held) {
        await Promise.all(held.map((member) => member.command({ replSetFreeze: FREEZE_SECONDS })));
      },
      async elect(candidates) {
        await Promise.all(candidates.map((member) => member.command({ replSetFreeze: 0 })));
        // Electing the most up-to-date at once; were it refused, the election timeout elects one anyway.
        const writes = await Promise.all(candidates.map(async (member) => ({ member, at: (await lastWrite(member)) ?? -1n })));
        const [newest] = writes.sort((a, b) => (b.at > a.at ? 1 : b.at < a.at ? -1 : 0));
        await newest?.member.command({ replSetStepUp: 1 }, { timeoutMs: 30_000 }).catch(() => undefined);
        return until('a primary is elected', primary);
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
