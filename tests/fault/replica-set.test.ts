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
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { DEFAULT_COLLECTIONS as COLLECTIONS } from 'clerk-mongo-sync';
import { findMongodBinary } from '../../tools/db/local-db';
import { primaryCrash, primaryStepDown } from '../../tools/harness/faults';
import { generateHistories } from '../../tools/harness/histories';
import { seededRandom } from '../../tools/harness/random';
import { clearCollections, startHarnessServer, type ReplicaSetHarnessServer } from '../../tools/harness/server';
import { runFaultPhase } from '../support/fault-phase';
import { checkConcurrentFirstDeliveries } from '../support/first-deliveries';
import { electedAt, membersAgree } from '../support/replica-members';

const mongod = findMongodBinary(() => undefined);
if (mongod.kind === 'unavailable') {
  if (process.env.REQUIRE_REPLICA_SET === '1')
    throw new Error(`REQUIRE_REPLICA_SET=1, but no replica set can be started: ${mongod.reason}`);
  console.warn(`[replica set] skipped: no replica set can be started here (${mongod.reason})`);
}

const SEED = Number(process.env.FAULT_SEED ?? 20_261_203);

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
    await checkConcurrentFirstDeliveries({
      apps,
      secret,
      db,
      writers: [await replicaSet.primary()],
      seed: SEED,
      minRounds: MIN_ROUNDS,
      maxRounds: MAX_ROUNDS,
      wanted: WANTED,
      log: (line) => console.log(`  [first deliveries] ${line}`),
    });
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
