import type { Db } from 'mongodb';

/**
 * What the connected server can do where supported MongoDB deployments differ,
 * found out once per connection by asking it. Everything else the app uses
 * (TTL indexes, per-statement bulk write results, `$dateToString` with a time
 * zone) every MongoDB the driver supports (4.4 and later) has.
 */
export type Capabilities = {
  /** A replica set or sharded cluster with sessions: the driver retries a write once after a network error. A standalone mongod has none. */
  retryableWrites: boolean;
};

export async function detectCapabilities(database: Db): Promise<Capabilities> {
  return { retryableWrites: await isReplicated(database) };
}

/** Replica set member (`setName`) or mongos (`isdbgrid`), with logical sessions. */
async function isReplicated(database: Db): Promise<boolean> {
  const hello = await database.admin().command({ hello: 1 });
  const topologyReplicates = typeof hello.setName === 'string' || hello.msg === 'isdbgrid';
  return topologyReplicates && typeof hello.logicalSessionTimeoutMinutes === 'number';
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
