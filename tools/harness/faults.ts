/**
 * Faults for the fault run, each started and ended on a condition, never on
 * timing luck: the sender is held until the fault is confirmed in effect, then
 * released into it, and the fault is lifted only once enough attempts have
 * met it. What the run then judges does not depend on the machine's speed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { MongoClient, MongoServerError, type Document, type Timestamp } from 'mongodb';
import type { Attempt } from './sender';
import type { ReplicaSet, ReplicaSetMember } from './replica-set';
import type { HarnessServer, ReplicaSetHarnessServer, ShardedHarnessServer } from './server';

export type Fault<Server = HarnessServer> = {
  name: string;
  /** The app itself is down: attempts meeting the fault get no answer instead of a 503. */
  appDown: boolean;
  /**
   * Only part of the data is unavailable (one shard of a sharded cluster): an attempt meets the fault
   * when it is answered 503; others, whose writes all go elsewhere, are answered 200 meanwhile.
   */
  partial?: boolean;
  /** Puts the fault in effect; resolves once it is confirmed. */
  inject(server: Server): Promise<void>;
  /** Ends the fault; resolves once the service answers again. */
  lift(server: Server): Promise<void>;
};

/** How long a fault may take to be confirmed, or lifted, before the run fails: a bound, not a wait. */
const CONFIRM_WITHIN_MS = 60_000;

async function until(what: string, condition: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + CONFIRM_WITHIN_MS;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`not confirmed within ${CONFIRM_WITHIN_MS / 1000} s: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** True when a TCP connection to the port is refused: nothing listens there. */
function portRefuses(origin: string): Promise<boolean> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

/** True when the database answers a ping within `ms`. */
async function pingAnswered(uri: string, ms: number): Promise<boolean> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: ms, connectTimeoutMS: ms, socketTimeoutMS: ms, directConnection: true });
  try {
    await client.db('admin').command({ ping: 1 });
    return true;
  } catch {
    return false;
  } finally {
    void client.close().catch(() => undefined);
  }
}

export const databaseCrash: Fault = {
  name: 'database crash (SIGKILL, no drain; restarted on the same data)',
  appDown: false,
  async inject({ localDb }) {
    await localDb.crash();
    await until('the database port refuses connections', () => portRefuses(localDb.uri.replace('mongodb:', 'http:')));
  },
  async lift({ localDb }) {
    await localDb.restart();
  },
};

export const databaseHang: Fault = {
  name: 'database hang (SIGSTOP with its sockets open; then SIGCONT)',
  appDown: false,
  async inject({ localDb }) {
    await localDb.freeze();
    await until('a ping to the database gets no answer', async () => !(await pingAnswered(localDb.uri, 1_000)));
  },
  async lift({ localDb }) {
    localDb.thaw();
    await until('the database answers a ping again', () => pingAnswered(localDb.uri, 5_000));
  },
};

export const appCrash: Fault = {
  name: 'app crash (next start SIGKILLed under load; started again)',
  appDown: true,
  async inject({ apps }) {
    await Promise.all(apps.map((app) => app.crash()));
    await until('the app port refuses connections', async () =>
      (await Promise.all(apps.map(({ origin }) => portRefuses(origin)))).every(Boolean),
    );
  },
  async lift({ apps }) {
    await Promise.all(apps.map((app) => app.restart()));
  },
};

/** Whether the member answers as the writable primary (false while it does not answer at all). */
async function isPrimary(member: ReplicaSetMember): Promise<boolean> {
  const hello = await member.command({ hello: 1 }, { timeoutMs: 1_000 }).catch(() => undefined);
  return hello?.isWritablePrimary === true;
}

/**
 * A replica set's primary leaves (`leave`) while the other members are held
 * from standing for election, so there is no primary for as long as the fault
 * lasts, however fast an election would be; lifting it lets them elect one,
 * then `comeBack` runs. Made per run: it remembers which member left.
 */
function primaryLeaves<Server>(
  name: string,
  replicaSetOf: (server: Server) => ReplicaSet,
  leave: (primary: ReplicaSetMember, replicaSet: ReplicaSet) => Promise<void>,
  comeBack: (primary: ReplicaSetMember) => Promise<void>,
): Fault<Server> {
  let left: { primary: ReplicaSetMember; others: ReplicaSetMember[] } | undefined;
  return {
    name,
    appDown: false,
    async inject(server) {
      const replicaSet = replicaSetOf(server);
      const primary = await replicaSet.primary();
      const others = replicaSet.members.filter((member) => member !== primary);
      await replicaSet.holdElections(others);
      left = { primary, others };
      await leave(primary, replicaSet);
    },
    async lift(server) {
      if (!left) throw new Error(`${name}: lifted before it was injected`);
      await replicaSetOf(server).elect(left.others);
      await comeBack(left.primary);
    },
  };
}

/** replSetStepDown's refusal when no electable secondary caught up within `secondaryCatchUpPeriodSecs`. */
const EXCEEDED_TIME_LIMIT = 262;

/** How long the primary is asked to step down before it is told to (`force`), and then how long it may take: bounds for a loaded machine. */
const STEP_DOWN_WITHIN_MS = 120_000;

/**
 * The primary steps down once a secondary has caught up. With deliveries
 * still writing, the catch-up can take longer than the command waits (30 s),
 * and the primary then refuses and stays: it is asked again, each refusal
 * logged with the members' states as the primary sees them. It is told to
 * (`force`), as an operator would, once those states show a healthy secondary
 * caught up and durable at its last write (mongod 4.4 was seen refusing then,
 * for minutes), or past STEP_DOWN_WITHIN_MS. A forced step-down loses no
 * acknowledged write either: the app writes with w: 'majority'.
 */
async function stepDown(primary: ReplicaSetMember, { members }: ReplicaSet): Promise<void> {
  const askedUntil = Date.now() + STEP_DOWN_WITHIN_MS;
  let force = false;
  for (;;) {
    const refusal = await stepDownRefusal(primary, force);
    if (refusal === undefined) break;
    const { summary, secondaryCaughtUp } = await membersSeenBy(primary, members);
    console.log(`  [step-down] ${primary.host} refused${force ? ' (forced)' : ''}: ${refusal}; ${summary}`);
    if (force && Date.now() > askedUntil + STEP_DOWN_WITHIN_MS)
      throw new Error(`${primary.host} does not step down, even when forced: ${summary}`);
    force ||= secondaryCaughtUp || Date.now() > askedUntil;
  }
  await until('the old primary is a secondary', async () => !(await isPrimary(primary)));
}

/** undefined once the primary stepped down; its refusal (no electable secondary caught up) otherwise. */
async function stepDownRefusal(primary: ReplicaSetMember, force: boolean): Promise<string | undefined> {
  try {
    await primary.command({ replSetStepDown: 60, secondaryCatchUpPeriodSecs: 30, force }, { timeoutMs: 90_000 });
    return undefined;
  } catch (error) {
    if (error instanceof MongoServerError && error.code === EXCEEDED_TIME_LIMIT) return error.message;
    throw error;
  }
}

type OpTime = { ts: Timestamp; t: number };

/**
 * The members as the primary sees them (`replSetGetStatus`: state, health,
 * applied and durable optimes, heartbeat message, and a down member's last
 * errors from its log), and whether a healthy secondary has applied and made
 * durable the primary's last write.
 */
async function membersSeenBy(
  primary: ReplicaSetMember,
  members: readonly ReplicaSetMember[],
): Promise<{ summary: string; secondaryCaughtUp: boolean }> {
  const status = await primary.command({ replSetGetStatus: 1 }).catch((error: Error) => error);
  if (status instanceof Error) return { summary: `replSetGetStatus: ${status.message}`, secondaryCaughtUp: false };
  const states = status.members as Document[];
  const last = states.find(({ self }) => self)?.optime as OpTime | undefined;
  const reached = (opTime?: OpTime) => Boolean(last && opTime && opTime.t === last.t && opTime.ts.compare(last.ts) >= 0);
  const secondaryCaughtUp = states.some(
    ({ stateStr, health, optime, optimeDurable }) => stateStr === 'SECONDARY' && health === 1 && reached(optime) && reached(optimeDurable),
  );
  const format = (opTime?: OpTime) => (opTime ? `${opTime.ts.t}.${opTime.ts.i} (term ${opTime.t})` : '-');
  const lines = states.map(({ name, stateStr, health, optime, optimeDurable, lastHeartbeatMessage }) => {
    const down = health !== 1;
    const logFile = members.find(({ host }) => host === name)?.logFile;
    return [
      `${name} ${stateStr}${down ? ' (down)' : ''}, applied ${format(optime)}, durable ${format(optimeDurable)}`,
      lastHeartbeatMessage ? `"${lastHeartbeatMessage}"` : '',
      down && logFile ? `last errors: ${lastErrors(logFile)}` : '',
    ]
      .filter(Boolean)
      .join(', ');
  });
  const { durableOpTime, lastCommittedOpTime } = (status.optimes ?? {}) as { durableOpTime?: OpTime; lastCommittedOpTime?: OpTime };
  lines.push(`the primary's own durable ${format(durableOpTime)}, majority-committed ${format(lastCommittedOpTime)}`);
  return { summary: lines.join('; '), secondaryCaughtUp };
}

/** A mongod log's last three error and fatal lines, each cut to 300 characters. */
function lastErrors(logFile: string): string {
  const lines = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n') : [];
  const errors = lines.filter((line) => /"s":"(E|F)"/.test(line)).slice(-3);
  return errors.map((line) => line.slice(0, 300)).join(' | ') || 'none';
}

/** A graceful failover, as in maintenance: the primary steps down (and may not stand again for 60 s). */
export function primaryStepDown(): Fault<ReplicaSetHarnessServer> {
  return primaryLeaves(
    'primary step-down (replSetStepDown; no election until the overlap)',
    ({ replicaSet }) => replicaSet,
    stepDown,
    async () => {},
  );
}

/** The same on one shard of a sharded cluster: that shard has no primary, the others serve on. */
export function shardPrimaryStepDown(shardName: string): Fault<ShardedHarnessServer> {
  const shardOf = ({ cluster }: ShardedHarnessServer) => {
    const shard = cluster.shards.find(({ name }) => name === shardName);
    if (!shard) throw new Error(`no shard ${shardName} in the cluster`);
    return shard;
  };
  return {
    ...primaryLeaves(
      `${shardName}'s primary steps down (replSetStepDown; no election until the overlap)`,
      shardOf,
      stepDown,
      async () => {},
    ),
    partial: true,
  };
}

/** The primary's process dies (SIGKILL, no drain); once a new primary is elected it starts again on its data and rejoins. */
export function primaryCrash(): Fault<ReplicaSetHarnessServer> {
  return primaryLeaves(
    'primary crash (SIGKILL; no election until the overlap; restarted on its data)',
    ({ replicaSet }) => replicaSet,
    async (primary) => {
      await primary.crash();
      await until("the old primary's port refuses connections", () => portRefuses(`http://${primary.host}`));
    },
    (primary) => primary.restart(),
  );
}

/** When the fault was in effect, as performance.now() times (the sender's clock). */
export type FaultWindow = {
  /** The fault was started (signal sent): attempts in flight then met it too. */
  injectedAt: number;
  /** The fault was confirmed; the sender was released into it. */
  confirmedAt: number;
  /** Lifting began: no attempt after this counts as inside the fault. */
  liftStartedAt: number;
  /** The service answered again. */
  liftedAt: number;
};

/** Attempts that started once the fault was confirmed and ended before it was lifted. */
export function attemptsInside(attempts: readonly Attempt[], window: FaultWindow): Attempt[] {
  return attempts.filter(({ startedAt, endedAt }) => startedAt >= window.confirmedAt && endedAt <= window.liftStartedAt);
}

/** Attempts in flight at any time between the fault's start and its end. */
export function attemptsMeeting(attempts: readonly Attempt[], window: FaultWindow): Attempt[] {
  return attempts.filter(({ startedAt, endedAt }) => endedAt >= window.injectedAt && startedAt <= window.liftedAt);
}

/**
 * Drives one fault during a delivery run. Wire `beforeAttempt` and
 * `onAttempt` into the sender; call `start()` when the fault is due (e.g. from
 * onAttempt), and `finish()` once the sender has returned, which also lifts a
 * fault whose overlap never came (the run's overlap check then fails).
 */
export function faultController<Server>(fault: Fault<Server>, server: Server, { overlap }: { overlap: number }) {
  let held: Promise<void> | undefined;
  let release = () => {};
  let overlapReached = () => {};
  const reached = new Promise<void>((resolve) => (overlapReached = resolve));
  const window: FaultWindow = { injectedAt: Infinity, confirmedAt: Infinity, liftStartedAt: Infinity, liftedAt: Infinity };
  let inside = 0;
  let running: Promise<void> | undefined;

  const run = async () => {
    held = new Promise<void>((resolve) => (release = resolve));
    window.injectedAt = performance.now();
    try {
      await fault.inject(server);
      window.confirmedAt = performance.now();
    } finally {
      held = undefined;
      release();
    }
    await reached;
    window.liftStartedAt = performance.now();
    await fault.lift(server);
    window.liftedAt = performance.now();
  };

  return {
    window,
    get started() {
      return running !== undefined;
    },
    /** Holds the sender while the fault is being put in effect. */
    beforeAttempt: () => held ?? Promise.resolve(),
    onAttempt(attempt: Attempt) {
      if (fault.partial && attempt.status !== 503) return;
      if (attempt.startedAt >= window.confirmedAt && window.liftStartedAt === Infinity && ++inside >= overlap) overlapReached();
    },
    start() {
      running ??= run();
    },
    async finish(): Promise<void> {
      overlapReached();
      await running;
    },
  };
}
