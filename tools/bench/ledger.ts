/**
 * `npm run bench:ledger`: what recording a delivery in the ledger costs next to
 * the user write it accompanies, and why, on the embedded database (a mongod
 * on PATH if there is one, as a single-node replica set like the app's). Each
 * hypothesis is measured on its own, the two writes alternating so that a
 * change in the machine's load hits both alike:
 *
 * 1. write concern: each write's latency at w: 1 (MongoDB 4.4's default),
 *    w: 1 with j: true, and the app's w: majority with j: true;
 * 2. journaling: the same at the app's write concern with the journal's
 *    commit interval at 1, 100 (the default) and 500 ms;
 * 3. a freshly seeded collection (the bench's steps ran right after seeding
 *    a million users): 1 again, after inserting `--seed` users;
 * 4. the ledger's indexes: the server's CPU per entry with each index set,
 *    inserted in batches as group commit sends them;
 * 5. the server's CPU per statement of each write, batched the same way.
 *
 * Writes are the engine's own: the guarded profile upsert of its users/repository.ts
 * and the ledger entry recordDelivery writes. Figures are reported, not asserted.
 *
 * `-- --runs 50 --seed 50000`: fewer samples, a smaller seed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { MongoClient, type Collection, type Db, type Document, type IndexDescription, type WriteConcernSettings } from 'mongodb';
import { DEFAULT_COLLECTIONS, LEDGER_TTL_SECONDS, type StoredUser } from 'clerk-mongo-sync';
import { clerkUser } from 'clerk-mongo-sync/testing';
import { ensureIndexes } from '../../packages/clerk-mongo-sync/src/db/indexes';
import { consoleLog } from '../../packages/clerk-mongo-sync/src/engine/log';
import { clerkUserJsonSchema, profileFromClerkUser } from '../../packages/clerk-mongo-sync/src/users/clerk-user';
import { guardedProfileUpsert, newUserDocument } from '../../packages/clerk-mongo-sync/src/users/repository';
import { startLocalDb } from '../db/local-db';
import { describeMachine } from './machine';

const { values: options } = parseArgs({
  options: { runs: { type: 'string', default: '150' }, seed: { type: 'string', default: '200000' } },
});
const RUNS = Number(options.runs);
const SEEDED_USERS = Number(options.seed);
/** Statements per command in the batched measurements: what group commit sends under load. */
const BATCH = 25;
const BATCHES = 40;
const ROUNDS = 7;

const WRITE_CONCERNS: Record<string, WriteConcernSettings> = {
  'w: 1 (MongoDB 4.4 default)': { w: 1 },
  'w: 1, j: true': { w: 1, journal: true },
  "w: majority, j: true (the app's)": { w: 'majority', journal: true },
};
const APP_WRITE_CONCERN = WRITE_CONCERNS["w: majority, j: true (the app's)"]!;

const TTL_INDEX: IndexDescription = { key: { receivedAt: 1 }, name: 'receivedAt_ttl', expireAfterSeconds: LEDGER_TTL_SECONDS };
const LEDGER_INDEX_SETS: Record<string, IndexDescription[]> = {
  '_id only': [],
  "_id + receivedAt_ttl (the app's)": [TTL_INDEX],
  '_id + receivedAt_ttl + clerkId_receivedAt (until now)': [TTL_INDEX, { key: { clerkId: 1, receivedAt: -1 }, name: 'clerkId_receivedAt' }],
};

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)]!;
const ms = (value: number) => `${value.toFixed(2)} ms`;
const µs = (milliseconds: number) => `${(milliseconds * 1000).toFixed(0).padStart(5)} µs`;
const count = (value: number) => value.toLocaleString('en');

let sequence = 0;
const runId = Date.now().toString(36);

/** A ledger entry as recordDelivery writes it. */
function ledgerEntry(clerkId: string): Document {
  const svixId = `msg_2bench${runId}${(sequence++).toString(36).padStart(8, '0')}`;
  return {
    _id: svixId,
    svixId,
    type: 'user.updated',
    clerkId,
    outcome: 'applied',
    status: 200,
    receivedAt: new Date(),
    durationMs: 5,
    attempts: 1,
  };
}

function profileOf(clerkId: string, version: number) {
  const user = clerkUser({ id: clerkId, createdAt: 1_700_000_000_000, updatedAt: version, publicMetadata: { role: 'member' } });
  return { profile: profileFromClerkUser(clerkUserJsonSchema.parse(user)), app: {} };
}

/** The guarded upsert of one stored user's next version, as the webhook sends it. */
function userWrite(clerkId: string, version: number) {
  return guardedProfileUpsert(profileOf(clerkId, version), version);
}

function storedUserId(index: number) {
  return `user_2benchLedger${String(index).padStart(10, '0')}`;
}

/** The server's own CPU time so far (user + system), from serverStatus: µs, not the 10 ms ticks of /proc. */
async function serverCpuMs(db: Db): Promise<number> {
  const { extra_info: info } = await db.admin().command({ serverStatus: 1 });
  return (Number(info?.user_time_us ?? Number.NaN) + Number(info?.system_time_us ?? Number.NaN)) / 1000;
}

type Sample = { upsert: number[]; ledger: number[] };

/** `RUNS` alternating pairs, each write awaited alone: the user write, then the ledger entry. */
async function latencies(
  users: Collection<StoredUser>,
  ledger: Collection,
  writeConcern: WriteConcernSettings,
  stored: number,
): Promise<Sample> {
  const sample: Sample = { upsert: [], ledger: [] };
  for (let run = 0; run < RUNS; run++) {
    const clerkId = storedUserId((run * 7_919) % stored);
    const { filter, update } = userWrite(clerkId, Date.now() * 1000 + run);
    let started = performance.now();
    await users.updateOne(filter, update, { upsert: true, writeConcern });
    sample.upsert.push(performance.now() - started);
    started = performance.now();
    await ledger.insertOne(ledgerEntry(clerkId), { writeConcern });
    sample.ledger.push(performance.now() - started);
  }
  return sample;
}

function printLatencies(label: string, { upsert, ledger }: Sample) {
  const [user, entry] = [median(upsert), median(ledger)];
  console.log(
    `  ${label.padEnd(44)} user write ${ms(user).padStart(9)}   ledger entry ${ms(entry).padStart(9)}   ledger / user ${(entry / user).toFixed(2)}`,
  );
}

/** Stores users `from` up to `to` in batches of 1,000 (as the bench seeds them), the next one generated while the last is written. */
async function seedUsers(users: Collection<StoredUser>, from: number, to: number): Promise<void> {
  let writing: Promise<unknown> = Promise.resolve();
  for (let start = from; start < to; start += 1_000) {
    const documents = Array.from({ length: Math.min(1_000, to - start) }, (_, i) =>
      newUserDocument(profileOf(storedUserId(start + i), 1_700_000_000_000), 1_700_000_000_000),
    );
    await writing;
    writing = users.insertMany(documents as StoredUser[], { ordered: false });
  }
  await writing;
}

/** The server's CPU per statement over BATCHES commands of BATCH statements each, at the app's write concern. */
async function serverCpuPerStatement(db: Db, write: (batch: number) => Promise<unknown>): Promise<number> {
  const before = await serverCpuMs(db);
  for (let batch = 0; batch < BATCHES; batch++) await write(batch);
  return ((await serverCpuMs(db)) - before) / (BATCH * BATCHES);
}

/** Each write's server CPU per statement, in ROUNDS rounds that alternate them (a drifting machine hits all alike); medians. */
async function alternating(db: Db, writes: Record<string, (batch: number) => Promise<unknown>>): Promise<Record<string, number>> {
  const samples: Record<string, number[]> = {};
  for (let round = 0; round < ROUNDS; round++)
    for (const [label, write] of Object.entries(writes)) (samples[label] ??= []).push(await serverCpuPerStatement(db, write));
  return Object.fromEntries(Object.entries(samples).map(([label, values]) => [label, median(values)]));
}

async function main() {
  console.log(`npm run bench:ledger (${RUNS} runs per figure)`);
  describeMachine().forEach((line) => console.log(line));
  const dataDir = mkdtempSync(path.join(tmpdir(), 'clerk-mongo-sync-bench-ledger-'));
  const server = await startLocalDb({ dataDir });
  console.log(`server:  ${server.description}`);
  const client = new MongoClient(server.uri, { writeConcern: APP_WRITE_CONCERN });
  try {
    const db = client.db('bench_ledger');
    await ensureIndexes(db, DEFAULT_COLLECTIONS, consoleLog);
    const users = db.collection<StoredUser>(DEFAULT_COLLECTIONS.users);
    const ledger = db.collection(DEFAULT_COLLECTIONS.deliveries);
    await seedUsers(users, 0, 1_000);
    await latencies(users, ledger, APP_WRITE_CONCERN, 1_000); // warm-up

    console.log('\n1. Write concern: each write awaited alone, median (1,000 users stored):');
    for (const [label, writeConcern] of Object.entries(WRITE_CONCERNS))
      printLatencies(label, await latencies(users, ledger, writeConcern, 1_000));

    console.log("\n2. Journaling: the journal's commit interval, at the app's write concern:");
    for (const interval of [1, 100, 500]) {
      await db.admin().command({ setParameter: 1, journalCommitInterval: interval });
      printLatencies(`journalCommitInterval ${interval} ms`, await latencies(users, ledger, APP_WRITE_CONCERN, 1_000));
    }
    await db.admin().command({ setParameter: 1, journalCommitInterval: 100 });

    const seededAt = Date.now();
    await seedUsers(users, 1_000, 1_000 + SEEDED_USERS);
    console.log(
      `\n3. Right after seeding ${count(SEEDED_USERS)} users (${((Date.now() - seededAt) / 1000).toFixed(1)} s), as the bench's steps were timed:`,
    );
    for (const label of ['w: 1 (MongoDB 4.4 default)', "w: majority, j: true (the app's)"])
      printLatencies(label, await latencies(users, ledger, WRITE_CONCERNS[label]!, 1_000 + SEEDED_USERS));

    console.log(
      `\n4. The ledger's indexes: the server's CPU per entry, ${ROUNDS} alternating rounds of ${BATCHES} inserts of ${BATCH} entries, median:`,
    );
    const byIndexSet = Object.entries(LEDGER_INDEX_SETS).map(([label, indexes], i) => ({
      label,
      indexes,
      entries: db.collection(`ledger_indexes_${i}`),
    }));
    for (const { indexes, entries } of byIndexSet) {
      await db.createCollection(entries.collectionName);
      if (indexes.length > 0) await entries.createIndexes(indexes);
    }
    const insertEntries = (into: Collection) => () =>
      into.insertMany(
        Array.from({ length: BATCH }, () => ledgerEntry('user_2x')),
        { ordered: false },
      );
    const perIndexSet = await alternating(db, Object.fromEntries(byIndexSet.map(({ label, entries }) => [label, insertEntries(entries)])));
    for (const { label } of byIndexSet) console.log(`  ${label.padEnd(56)} ${µs(perIndexSet[label]!)}`);

    console.log(
      `\n5. The server's CPU per statement, ${ROUNDS} alternating rounds of ${BATCHES} commands of ${BATCH} statements (as group commit sends them), median:`,
    );
    let version = Date.now() * 1000 + RUNS;
    const perWrite = await alternating(db, {
      user: (batch) => {
        version += 1;
        const upserts = Array.from({ length: BATCH }, (_, i) => ({
          updateOne: { ...userWrite(storedUserId(batch * BATCH + i), version), upsert: true },
        }));
        return users.bulkWrite(upserts, { ordered: false });
      },
      ledger: insertEntries(ledger),
    });
    console.log(`  guarded upsert of a stored user ${µs(perWrite.user!)}`);
    console.log(
      `  ledger entry                    ${µs(perWrite.ledger!)}   ledger / user ${(perWrite.ledger! / perWrite.user!).toFixed(2)}`,
    );
  } finally {
    await client.close();
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
});
