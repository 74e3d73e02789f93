/**
 * Concurrent first deliveries, shared by the replica-set and sharded-cluster
 * tests: each round sends every version of a few new users at once (20–50
 * `user.created`/`user.updated` with increasing `updated_at`, 15 %
 * redelivered under the same svix-id) across the app instances, for at least
 * `minRounds` rounds and on until the servers' own logs show both paths this
 * is about: group-committed update commands in which several statements touch
 * the same user, and upserts the unique index refused because another
 * command's first delivery had inserted the user, each followed by its guard
 * evaluated again. Then one document per user with the newest version, and
 * every newest version sent once answered `applied`.
 */
import { expect, onTestFinished } from 'vitest';
import type { Db } from 'mongodb';
import { DEFAULT_COLLECTIONS as COLLECTIONS } from 'clerk-mongo-sync';
import { checkAgainstInOrder, describeCheck } from '../../tools/harness/expected-state';
import { generateHistories, type UserHistory } from '../../tools/harness/histories';
import { seededRandom } from '../../tools/harness/random';
import type { ReplicaSetMember } from '../../tools/harness/replica-set';
import { compressedSvixSchedule, planDeliveries, sendDeliveries, type Attempt, type Delivery } from '../../tools/harness/sender';
import type { AppInstance } from '../../tools/harness/server';
import { logOffset, logUpdates, readUpdateCommands, type LoggedCommand } from '../../tools/harness/statement-log';

/** Versions per user (user.created, then user.updated with increasing updated_at). */
const VERSIONS = [20, 50] as const;
const USERS_PER_ROUND = 2;

type Options = {
  apps: readonly AppInstance[];
  secret: string;
  db: Db;
  /** The members whose logs show the users collection's writes: a replica set's primary, or each shard's. */
  writers: readonly ReplicaSetMember[];
  seed: number;
  /** At least this many rounds, then on until the logs show `wanted`; `maxRounds` without is a failure. */
  minRounds: number;
  maxRounds: number;
  wanted: { sharedCommands: number; crossCommandRefusals: number };
  log: (line: string) => void;
};

/** What the servers' logs show of the users collection's update commands. */
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

/** Runs the rounds and checks what they must leave; the members whose logs were read must stay primary throughout. */
export async function checkConcurrentFirstDeliveries({
  apps,
  secret,
  db,
  writers,
  seed,
  minRounds,
  maxRounds,
  wanted,
  log,
}: Options): Promise<void> {
  const logs = await Promise.all(
    writers.map(async (member) => {
      onTestFinished(await logUpdates(member, db.databaseName, COLLECTIONS.users));
      return { file: member.logFile, offset: logOffset(member.logFile) };
    }),
  );
  const readLogs = () => logs.flatMap(({ file, offset }) => readUpdateCommands(file, db.databaseName, COLLECTIONS.users, offset));
  const rng = seededRandom(seed);
  const histories: UserHistory[] = [];
  const attempts: Attempt[] = [];
  const sent: Delivery[] = [];
  let evidence = evidenceFrom([]);
  const enough = () => evidence.sharedCommands >= wanted.sharedCommands && evidence.crossCommandRefusals >= wanted.crossCommandRefusals;

  let rounds = 0;
  while (rounds < minRounds || (rounds < maxRounds && !enough())) {
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
    evidence = evidenceFrom(readLogs());
  }
  log(
    `${rounds} rounds, ${histories.length} users, ${sent.length} deliveries, ${attempts.length} attempts; the servers' logs: ${JSON.stringify(evidence)}`,
  );

  for (const member of writers) {
    const hello = await member.command({ hello: 1 });
    expect(hello.isWritablePrimary, `${member.host}, whose log was read, stayed primary`).toBe(true);
  }
  expect(evidence.sharedCommands, 'group-committed update commands in which several statements touch the same user').toBeGreaterThanOrEqual(
    wanted.sharedCommands,
  );
  expect(
    evidence.crossCommandRefusals,
    "upserts refused because another command's first delivery inserted the user",
  ).toBeGreaterThanOrEqual(wanted.crossCommandRefusals);
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
    .soft({ entries: ledger.length, acknowledged: ledger.filter(({ status }) => status < 300).length }, 'one 2xx ledger entry per svix-id')
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
}
