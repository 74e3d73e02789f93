import type { Db } from 'mongodb';

/**
 * What the connected server can do where supported MongoDB deployments differ,
 * found out once per database by asking it. Everything else the engine uses
 * (TTL indexes, per-statement bulk write results, update pipelines, `$dateToString`
 * with a time zone) every MongoDB the driver supports (4.4 and later) has.
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
