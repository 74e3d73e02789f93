/**
 * A failover while deliveries are flowing, on a three-member replica set (as
 * Atlas runs): the primary steps down mid-stream, deliveries that hit the
 * election get a 503 and are retried as Svix retries, and in the end every
 * delivery is applied exactly once — 0 lost, 0 duplicated.
 *
 * Needs a real mongod (on PATH, or mongodb-memory-server's download). Where
 * there is none, the file is skipped with the reason printed; with
 * REQUIRE_REPLICA_SET=1 (the CI job for it) a missing mongod fails instead.
 */
import { MongoClient } from 'mongodb';
import { MongoMemoryReplSet } from 'mongodb-memory-server-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { db, mongoClient } from '@/lib/db/client';
import { COLLECTIONS } from '@/lib/db/indexes';
import { findMongodBinary } from '../../tools/db/local-db';
import { clerkUser, userCreatedEvent, userUpdatedEvent } from '../../tools/clerk/payloads';
import { signDelivery, type SignedDelivery } from '../../tools/clerk/svix';
import { postToRoute, type Answer } from '../support/webhook';

const mongod = findMongodBinary(() => undefined);
if (mongod.kind === 'unavailable') {
  if (process.env.REQUIRE_REPLICA_SET === '1')
    throw new Error(`REQUIRE_REPLICA_SET=1, but no replica set can be started: ${mongod.reason}`);
  console.warn(`[failover] skipped: no replica set can be started here (${mongod.reason})`);
}

const USERS = 40;

let replSet: MongoMemoryReplSet;

/** Sends `delivery` again after every 503, as Svix retries, until it is acknowledged; gives up after 90 s. */
async function retriedUntilAcknowledged(delivery: SignedDelivery): Promise<Answer> {
  const giveUpAt = Date.now() + 90_000;
  for (;;) {
    const answer = await postToRoute(delivery);
    if (answer.status !== 503 || Date.now() > giveUpAt) return answer;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The replica set's primary once there is one again (the election after a step-down takes seconds). */
async function electedPrimary(admin: MongoClient): Promise<string> {
  for (;;) {
    const { primary } = await admin.db('admin').command({ hello: 1 });
    if (typeof primary === 'string') return primary;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('primary step-down on a three-member replica set', () => {
  // Skipped with the reason, which `npm test` lists at its end.
  beforeEach((context) => {
    if (mongod.kind === 'unavailable') context.skip(`no replica set can be started here: ${mongod.reason}`);
  });

  beforeAll(async () => {
    if (mongod.kind !== 'binary') return;
    replSet = await MongoMemoryReplSet.create({
      binary: { systemBinary: mongod.path },
      replSet: { count: 3, storageEngine: 'wiredTiger' },
    });
    await replSet.waitUntilRunning();
    process.env.MONGODB_URI = replSet.getUri(); // read lazily by env(): nothing has connected yet
  }, 120_000);

  afterAll(async () => {
    await mongoClient().close();
    await replSet?.stop();
  });

  it('loses and duplicates no delivery while the primary steps down mid-stream', async () => {
    const users = Array.from({ length: USERS }, () => clerkUser());
    const secret = process.env.CLERK_WEBHOOK_SECRET!;
    const creates = users.map((user) => signDelivery(secret, userCreatedEvent(user)));
    const updates = users.map((user) =>
      signDelivery(secret, userUpdatedEvent({ ...user, first_name: 'AfterFailover', updated_at: user.updated_at + 1_000 })),
    );
    await db(); // connected, capabilities detected and indexes in place before the stream starts

    // The creates flow; once a quarter is acknowledged the primary is told to step down and, while it
    // does, the updates start: by construction, deliveries are in flight across the election.
    let acknowledged = 0;
    let failed = false;
    const firstHalf = Promise.all(creates.map((delivery) => retriedUntilAcknowledged(delivery).finally(() => (acknowledged += 1))));
    firstHalf.catch(() => (failed = true));
    while (acknowledged < USERS / 4 && !failed) await new Promise((resolve) => setTimeout(resolve, 10));
    const admin = new MongoClient(replSet.getUri(), { serverSelectionTimeoutMS: 10_000 });
    const primaryBefore = await electedPrimary(admin);
    // The primary closes its connections as it steps down; the command's own answer may be lost with them.
    const stepDown = admin
      .db('admin')
      .command({ replSetStepDown: 30, secondaryCatchUpPeriodSecs: 10 })
      .catch(() => undefined);
    const secondHalf = Promise.all(updates.map((delivery) => retriedUntilAcknowledged(delivery)));
    const answers = [...(await firstHalf), ...(await secondHalf)];
    await stepDown;
    const primaryAfter = await electedPrimary(admin);
    await admin.close();

    expect(primaryAfter).not.toBe(primaryBefore);
    expect(answers.map((answer) => answer.status).filter((status) => status !== 200)).toEqual([]);
    const deliveries = [...creates, ...updates];
    const database = await db();
    const ids = users.map((user) => user.id);
    const stored = await database
      .collection(COLLECTIONS.users)
      .find({ clerkId: { $in: ids } })
      .toArray();
    expect(stored).toHaveLength(USERS); // none lost, none twice
    expect(stored.every((user) => user.firstName === 'AfterFailover')).toBe(true);
    const svixIds = deliveries.map((delivery) => delivery.svixId);
    expect(await database.collection(COLLECTIONS.deliveries).countDocuments({ _id: { $in: svixIds } } as object)).toBe(svixIds.length);
  }, 180_000);
});
