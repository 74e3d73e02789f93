/**
 * Three app instances (`next start` of the production build, attempts spread
 * round-robin) on a three-member replica set of real mongod processes, as
 * production runs on Atlas:
 *
 * - first deliveries of one user, 20–50 versions at once, some redelivered
 *   under the same svix-id, across the three instances: one document per user
 *   holding the newest version, none dropped as stale. The server's own log
 *   proves the two paths this is about really ran: group-committed update
 *   commands in which several statements touch the same user, and upserts the
 *   unique index refused because a concurrent first delivery in another
 *   command inserted the user, each followed by the guard evaluated again.
 * - failover while deliveries flow, as in the fault run (tests/support/fault-phase.ts):
 *   the primary steps down, then the primary is SIGKILLed and later restarted
 *   on its data. The other members are held from standing for election until
 *   100 attempts have met the fault, so the fault overlaps the work by
 *   construction; a new primary is elected only then.
 *
 * Needs a real mongod (on PATH, or mongodb-memory-server's download). Where
 * there is none, the file is skipped with the reason printed; with
 * REQUIRE_REPLICA_SET=1 (CI) a replica set that cannot be started fails it.
 * Seeded: rerun a failure with FAULT_SEED=<seed>.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, onTestFinished, test } from 'vitest';
import { DEFAULT_COLLECTIONS as COLLECTIONS } from 'clerk-mongo-sync';
import { findMongodBinary } from '../../tools/db/local-db';
import { checkAgainstInOrder, describeCheck } from '../../tools/harness/expected-state';
import { primaryCrash, primaryStepDown } from '../../tools/harness/faults';
import { generateHistories, type UserHistory } from '../../tools/harness/histories';
import { seededRandom } from '../../tools/harness/random';
import type { ReplicaSetMember } from '../../tools/harness/replica-set';
import { compressedSvixSchedule, planDeliveries, sendDeliveries, type Attempt, type Delivery } from '../../tools/harness/sender';
import { clearCollections, startHarnessServer, type ReplicaSetHarnessServer } from '../../tools/harness/server';
import { logOffset, logUpdates, readUpdateCommands, type LoggedCommand } from '../../tools/harness/statement-log';
import { runFaultPhase } from '../support/fault-phase';

const mongod = findMongodBinary(() => undefined);
if (mongod.kind === 'unavailable') {
  if (process.env.REQUIRE_REPLICA_SET === '1')
    throw new Error(`REQUIRE_REPLICA_SET=1, but no replica set can be started: ${mongod.reason}`);
  console.warn(`[replica set] skipped: no replica set can be started here (${mongod.reason})`);
}

const SEED = Number(process.env.FAULT_SEED ?? 20_261_203);

/** Versions per user in the concurrency test (user.created, then user.updated with increasing updated_at). */
const VERSIONS = [20, 50] as const;
const USERS_PER_ROUND = 2;
/** At least this many rounds, then on until the log shows enough of both paths; this many without is a failure. */
const MIN_ROUNDS = 10;
const MAX_ROUNDS = 60;
const WANTED = { sharedCommands: 10, crossCommandRefusals: 10 };

/** As in the fault run. */
const FAILOVER_USERS = 300;
const CONCURRENCY = 50;
const OVERLAP = 100;
const FAULT_AFTER = 0.3;

let server: ReplicaSetHarnessServer | undefined;

/** What the primary's log shows of the users collection's update commands. */
function evidenceFrom(commands: readonly LoggedCommand[]) {
  let sharedCommands = 0;
  let mostOfOneUser = 0;
  let crossCommandRefusals = 0;
  /** Refused upserts, and the same filters sent again without upsert (the guard evaluated again), as multisets. */
  const refused = new Map<string, number>();
  const reevaluated = new Map<string, number>();
  let reevaluationsApplied = 0;
  const count = (counts: Map<string, number>, key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);
  for (const { statements } of commands) {
    const perUser = new Map<string, number>();
    statements.forEach(({ filter, upsert, errorCode, modified }, index) => {
      const clerkId = String(filter.clerkId);
      count(perUser, clerkId);
      if (!upsert) {
        count(reevaluated, JSON.stringify(filter));
        if (modified > 0) reevaluationsApplied += 1;
      }
      if (!upsert || errorCode !== 11000) return;
      count(refused, JSON.stringify(filter));
      // No earlier statement of this command wrote the user: another command's first delivery inserted it.
      const writtenHere = statements
        .slice(0, index)
        .some((other) => other.filter.clerkId === clerkId && (other.inserted || other.modified > 0));
      if (!writtenHere) crossCommandRefusals += 1;
    });
    const most = Math.max(0, ...perUser.values());
    if (most > 1) sharedCommands += 1;
    mostOfOneUser = Math.max(mostOfOneUser, most);
  }
  const refusalsNotReevaluated = [...refused].reduce((sum, [key, times]) => sum + Math.max(0, times - (reevaluated.get(key) ?? 0)), 0);
  return { commands: commands.length, sharedCommands, mostOfOneUser, crossCommandRefusals, refusalsNotReevaluated, reevaluationsApplied };
}

/** When the member was elected primary, as replSetGetStatus reports it (whole seconds). */
async function electedAt(member: ReplicaSetMember): Promise<number> {
  const status = await member.command({ replSetGetStatus: 1 });
  const self = (status.members as { self?: boolean; electionDate?: Date }[]).find((candidate) => candidate.self);
  return self?.electionDate?.getTime() ?? Number.NaN;
}

/** Waits until every member holds the same users and ledger (dbHash), the restarted one included; the members' hashes. */
async function membersAgree(members: readonly ReplicaSetMember[], database: string): Promise<string[]> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const hashes = await Promise.all(
      members.map(async (member) => {
        const answer = await member.command({ dbHash: 1, collections: [COLLECTIONS.users, COLLECTIONS.deliveries] }, { database });
        return String(answer.md5);
      }),
    );
    if (new Set(hashes).size === 1 || Date.now() > deadline) return hashes;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('three app instances on a three-member replica set', () => {
  // Skipped with the reason, which `npm test` lists at its end.
  beforeEach((context) => {
    if (mongod.kind === 'unavailable') context.skip(`no replica set can be started here: ${mongod.reason}`);
  });

  beforeAll(async () => {
    if (mongod.kind === 'unavailable') return;
    server = await startHarnessServer({
      benchRoutes: false,
      name: 'replica-set',
      instances: 3,
      replicaSet: true,
      log: (line) => console.log(`  [replica set] ${line}`),
    });
  }, 600_000);

  afterAll(async () => {
    await server?.stop();
  });

  beforeEach(async () => {
    if (server) await clearCollections(server.db, [COLLECTIONS.users, COLLECTIONS.deliveries]);
  });

  test('first deliveries of one user, 20–50 versions at once across three instances: one document, the newest version', async () => {
    const { db, replicaSet, apps, secret } = server!;
    const log = (line: string) => console.log(`  [first deliveries] ${line}`);
    const primary = await replicaSet.primary();
    const stopLogging = await logUpdates(primary, db.databaseName, COLLECTIONS.users);
    onTestFinished(stopLogging);
    const offset = logOffset(primary.logFile);
    const rng = seededRandom(SEED);
    const histories: UserHistory[] = [];
    const attempts: Attempt[] = [];
    const sent: Delivery[] = [];
    let evidence = evidenceFrom([]);
    const enough = () => evidence.sharedCommands >= WANTED.sharedCommands && evidence.crossCommandRefusals >= WANTED.crossCommandRefusals;

    let rounds = 0;
    while (rounds < MIN_ROUNDS || (rounds < MAX_ROUNDS && !enough())) {
      rounds += 1;
      // Every version of these users at once: each instance's first request goes alone, the rest wait and share a command.
      const round = generateHistories(rng, { users: USERS_PER_ROUND, events: VERSIONS, deleteChance: 0 });
      const planned = planDeliveries(rng, round, { order: 'shuffled', duplicateRate: 0.15 });
      const report = await sendDeliveries(planned, {
        url: apps.map(({ origin }) => `${origin}/api/webhooks/clerk`),
        secret,
        concurrency: planned.length,
        retryDelaysMs: compressedSvixSchedule(1_000),
        onAttempt: (attempt) => attempts.push(attempt),
      });
      expect(report, `round ${rounds}: every delivery acknowledged`).toMatchObject({ delivered: planned.length, failed: 0 });
      histories.push(...round);
      sent.push(...planned);
      evidence = evidenceFrom(readUpdateCommands(primary.logFile, db.databaseName, COLLECTIONS.users, offset));
    }
    log(
      `${rounds} rounds, ${histories.length} users, ${sent.length} deliveries, ${attempts.length} attempts; primary's log: ${JSON.stringify(evidence)}`,
    );

    expect(await replicaSet.primary(), 'the primary whose log was read stayed primary').toBe(primary);
    expect(
      evidence.sharedCommands,
      'group-committed update commands in which several statements touch the same user',
    ).toBeGreaterThanOrEqual(WANTED.sharedCommands);
    expect(
      evidence.crossCommandRefusals,
      "upserts refused because another command's first delivery inserted the user",
    ).toBeGreaterThanOrEqual(WANTED.crossCommandRefusals);
    expect(evidence.refusalsNotReevaluated, 'refused upserts whose guard was not evaluated again').toBe(0);

    expect(
      [...new Set(attempts.map(({ status }) => status))].filter((status) => status !== 200 && status !== 503),
      'statuses but 200 and 503',
    ).toEqual([]);
    const state = await checkAgainstInOrder(db, histories);
    expect(state.mismatches.slice(0, 5), `one document per user with the newest version's fields (${describeCheck(state)})`).toEqual([]);
    const ledger = await db
      .collection(COLLECTIONS.deliveries)
      .find({}, { projection: { _id: 0, svixId: 1, status: 1 } })
      .toArray();
    const svixIds = new Set(sent.map(({ svixId }) => svixId));
    expect
      .soft(
        { entries: ledger.length, acknowledged: ledger.filter(({ status }) => status < 300).length },
        'one 2xx ledger entry per svix-id',
      )
      .toEqual({ entries: svixIds.size, acknowledged: svixIds.size });
    // A newest version sent once and answered at once: its answer says it applied, not that it was stale.
    const newest = new Set(histories.map(({ events }) => JSON.stringify(events.at(-1))));
    const sentOnce = sent.filter(({ body, svixId }) => newest.has(body) && sent.filter((other) => other.svixId === svixId).length === 1);
    const firstAnswers = sentOnce.map(({ svixId }) => attempts.find((attempt) => attempt.svixId === svixId && attempt.attempt === 1));
    const answeredAtOnce = firstAnswers.filter((attempt) => attempt?.status === 200);
    expect(answeredAtOnce.length, 'newest versions sent once and answered at the first attempt').toBeGreaterThan(0);
    expect(
      answeredAtOnce.filter((attempt) => attempt?.outcome !== 'applied').map((attempt) => attempt?.outcome),
      'their outcomes',
    ).toEqual([]);
  });

  const failovers = [
    { name: 'primary step-down', fault: primaryStepDown },
    { name: 'primary killed', fault: primaryCrash },
  ];

  test.each(failovers)('$name while three instances deliver: nothing lost, duplicated or resurrected', async ({ name, fault }) => {
    const { replicaSet, db } = server!;
    const log = (line: string) => console.log(`  [${name}] ${line}`);
    const before = await replicaSet.primary();
    const rng = seededRandom(SEED + failovers.findIndex((failover) => failover.name === name) + 1);
    const histories = generateHistories(rng, { users: FAILOVER_USERS, events: [2, 4], deleteChance: 0.25 });
    const window = await runFaultPhase({
      server: server!,
      fault: fault(),
      rng,
      histories,
      log,
      concurrency: CONCURRENCY,
      overlap: OVERLAP,
      faultAfter: FAULT_AFTER,
    });

    const after = await replicaSet.primary();
    expect.soft(after.host, 'a new primary').not.toBe(before.host);
    const overlapReachedAt = performance.timeOrigin + window.liftStartedAt;
    expect
      .soft(await electedAt(after), 'the new primary was elected only after the overlap (election time in whole seconds)')
      .toBeGreaterThanOrEqual(Math.floor(overlapReachedAt / 1000) * 1000);
    const hashes = await membersAgree(replicaSet.members, db.databaseName);
    expect
      .soft(new Set(hashes).size, `every member, the one that left included, holds the same users and ledger (${hashes.join(', ')})`)
      .toBe(1);
    log(`primary ${before.host} → ${after.host}; members agree: ${new Set(hashes).size === 1}`);
  });
});
