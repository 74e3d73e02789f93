import { MongoServerError, type Db } from 'mongodb';

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
};

/** A scratch collection for the TTL probe, dropped right after. */
const PROBE_COLLECTION = 'capability_probe';

export async function detectCapabilities(database: Db): Promise<Capabilities> {
  const [replicated, ttlIndexes, dateGrouping] = await Promise.all([
    isReplicated(database),
    hasTtlIndexes(database),
    hasDateGrouping(database),
  ]);
  return { ttlIndexes, dateGrouping, retryableWrites: replicated, transactions: replicated };
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
  const probe = database.collection(PROBE_COLLECTION);
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

let current: Capabilities | undefined;

/** Kept by the shared client once detected, for code that has no database handle (`retryOnceOnClosedConnection`). */
export function noteCapabilities(capabilities: Capabilities | undefined): void {
  current = capabilities;
}

/** Whether the connected server is known to retry writes itself; false until detected. */
export function serverRetriesWrites(): boolean {
  return current?.retryableWrites ?? false;
}
