import { MongoBulkWriteError, MongoServerError, ObjectId, type Db } from 'mongodb';

/**
 * What the connected server can do, found out once per connection by asking
 * it (not by its name or version): MongoDB-compatible servers differ, and the
 * app uses each feature where it exists and a fallback only where it does not.
 */
export type Capabilities = {
  /** The server deletes expired documents itself (`expireAfterSeconds`); else the app prunes the ledger. */
  ttlIndexes: boolean;
  /** Aggregations can `$group` by `$dateTrunc`; else per-hour counts take one range query each. */
  dateGrouping: boolean;
  /** A replica set or sharded cluster with sessions: the driver retries a write once after a network error. */
  retryableWrites: boolean;
  /** Multi-document transactions (same topology requirement as retryable writes). */
  transactions: boolean;
  /**
   * A bulk update reports each statement's upsert and refusal by its own index, and an unordered one
   * goes on past a refusal: concurrent order-guarded writes can then share one command (group-commit.ts).
   */
  bulkWriteResults: boolean;
};

/**
 * A scratch collection of the probe's own, dropped right after. Its own:
 * app instances that start together probe at once, and with one shared name
 * a probe refused or dropped another's, which then read as "not supported".
 */
function scratchCollection(probe: string): string {
  return `capability_probe_${probe}_${new ObjectId().toHexString()}`;
}

export async function detectCapabilities(database: Db): Promise<Capabilities> {
  const [replicated, ttlIndexes, dateGrouping, bulkWriteResults] = await Promise.all([
    isReplicated(database),
    hasTtlIndexes(database),
    hasDateGrouping(database),
    hasBulkWriteResults(database),
  ]);
  return { ttlIndexes, dateGrouping, retryableWrites: replicated, transactions: replicated, bulkWriteResults };
}

/** Replica set member (`setName`) or mongos (`isdbgrid`), with logical sessions. */
async function isReplicated(database: Db): Promise<boolean> {
  const hello = await database.admin().command({ hello: 1 });
  const topologyReplicates = typeof hello.setName === 'string' || hello.msg === 'isdbgrid';
  return topologyReplicates && typeof hello.logicalSessionTimeoutMinutes === 'number';
}

/** A refused probe means "not supported"; anything but a server's refusal (an outage) propagates. */
async function supported(probe: () => Promise<unknown>): Promise<boolean> {
  try {
    await probe();
    return true;
  } catch (error) {
    if (error instanceof MongoServerError) return false;
    throw error;
  }
}

async function hasTtlIndexes(database: Db): Promise<boolean> {
  const probe = database.collection(scratchCollection('ttl'));
  const ttl = await supported(() => probe.createIndexes([{ key: { at: 1 }, name: 'at_ttl', expireAfterSeconds: 60 }]));
  await supported(() => probe.drop());
  return ttl;
}

/** On documents given inline (`$documents`), so no collection is read and an empty one cannot hide a missing operator. */
async function hasDateGrouping(database: Db): Promise<boolean> {
  return supported(async () => {
    const [row] = await database
      .aggregate([{ $documents: [{ at: new Date(90 * 60_000) }] }, { $group: { _id: { $dateTrunc: { date: '$at', unit: 'hour' } } } }])
      .toArray();
    if (!(row?._id instanceof Date) || row._id.getTime() !== 3_600_000) throw new MongoServerError({ message: 'wrong $dateTrunc result' });
  });
}

/**
 * Four upserts in one unordered bulk write against a unique index, as grouped
 * order-guarded writes send them: an update of a stored document, an insert,
 * an insert the index refuses, and an insert after it. The refusal must come
 * back at index 2 and the upserts at 1 and 3; some compatible servers report
 * a refusal as the whole command's (index 0), stop there and drop the counts.
 */
async function hasBulkWriteResults(database: Db): Promise<boolean> {
  const probe = database.collection<{ k: number; v: number }>(scratchCollection('bulk'));
  const upsert = (k: number, v: number) => ({ updateOne: { filter: { k, v: { $lt: v } }, update: { $set: { v } }, upsert: true } });
  try {
    return await supported(async () => {
      await probe.createIndexes([{ key: { k: 1 }, name: 'k_unique', unique: true }]);
      await probe.insertOne({ k: 1, v: 1 });
      const failure = await probe.bulkWrite([upsert(1, 2), upsert(2, 1), upsert(1, 0), upsert(3, 1)], { ordered: false }).then(
        () => undefined,
        (error: unknown) => error,
      );
      if (!(failure instanceof MongoBulkWriteError))
        throw failure ?? new MongoServerError({ message: 'the refused upsert was not reported' });
      const refusals = ([] as { index: number; code?: number }[]).concat(failure.writeErrors).map(({ index, code }) => `${index}:${code}`);
      const upserted = Object.keys(failure.result.upsertedIds).sort().join();
      const exact = refusals.join() === '2:11000' && upserted === '1,3' && failure.result.modifiedCount === 1;
      if (!exact) throw new MongoServerError({ message: `bulk write reported ${refusals.join()} refused, ${upserted} upserted` });
    });
  } finally {
    await supported(() => probe.drop());
  }
}

let current: Capabilities | undefined;

/** Kept by the shared client once detected, for code that has no database handle (`retryOnceOnClosedConnection`). */
export function noteCapabilities(capabilities: Capabilities | undefined): void {
  current = capabilities;
}

/** Whether grouped order-guarded writes get each statement's result (see `bulkWriteResults`); false until detected. */
export function serverReportsBulkResults(): boolean {
  return current?.bulkWriteResults ?? false;
}

/** Whether the connected server is known to retry writes itself; false until detected. */
export function serverRetriesWrites(): boolean {
  return current?.retryableWrites ?? false;
}
