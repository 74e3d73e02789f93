import type { Collection, Db, Document, MongoClient } from 'mongodb';
import { detectCapabilities, type Capabilities } from '../db/capabilities.js';
import { ensureIndexes, type CollectionNames } from '../db/indexes.js';
import type { StoredMembership, StoredOrganization } from '../organizations/schema.js';
import type { SessionRecord } from '../presence/session-record.js';
import type { SyncCheckpoint } from '../sync/checkpoint-record.js';
import type { StoredUser } from '../users/schema.js';
import type { StoredDeliveryRecord } from '../webhooks/delivery-record.js';
import type { Log } from './log.js';

/**
 * The engine's collections in one database, set up: indexes ensured and the
 * server's capabilities detected. Every engine operation works on a store.
 */
export type Store = {
  database: Db;
  names: CollectionNames;
  users: Collection<StoredUser>;
  sessions: Collection<SessionRecord>;
  deliveries: Collection<StoredDeliveryRecord>;
  syncRuns: Collection<SyncCheckpoint>;
  organizations: Collection<StoredOrganization>;
  memberships: Collection<StoredMembership>;
  capabilities: Capabilities;
};

/**
 * Stores by client, then by database and collection names. Keyed by the
 * client rather than the `Db` object: `client.db(name)` makes a new `Db` on
 * every call, and an adopter's `database()` may do just that. The same store
 * every time matters beyond cost: concurrent writes are grouped per
 * `Collection` object (db/group-commit.ts).
 */
const stores = new WeakMap<MongoClient, Map<string, Promise<Store>>>();

/**
 * The store for `database` and `names`, set up once per process; a failed
 * set-up (the database down at the first delivery) is forgotten so the next
 * caller tries again.
 */
export function openStore(database: Db, names: CollectionNames, log: Log): Promise<Store> {
  const { byKey, key } = storeKey(database, names);
  let store = byKey.get(key);
  if (!store) {
    store = setUp(database, names, log);
    const cache = byKey;
    store.catch(() => cache.delete(key));
    byKey.set(key, store);
  }
  return store;
}

/**
 * Indexes ensured now, as an explicit call asks: by the store's own set-up
 * when this call opens it, else by running the (idempotent) set-up again.
 */
export async function ensureStoreIndexes(database: Db, names: CollectionNames, log: Log): Promise<void> {
  const { byKey, key } = storeKey(database, names);
  const opened = byKey.has(key);
  await openStore(database, names, log);
  if (opened) await ensureIndexes(database, names, log);
}

function storeKey(database: Db, names: CollectionNames) {
  let byKey = stores.get(database.client);
  if (!byKey) stores.set(database.client, (byKey = new Map()));
  return { byKey, key: JSON.stringify([database.databaseName, names]) };
}

async function setUp(database: Db, names: CollectionNames, log: Log): Promise<Store> {
  const [capabilities] = await Promise.all([detectCapabilities(database), ensureIndexes(database, names, log)]);
  const collection = <T extends Document>(name: string) => database.collection<T>(name);
  return {
    database,
    names,
    users: collection<StoredUser>(names.users),
    sessions: collection<SessionRecord>(names.sessions),
    deliveries: collection<StoredDeliveryRecord>(names.deliveries),
    syncRuns: collection<SyncCheckpoint>(names.syncRuns),
    organizations: collection<StoredOrganization>(names.organizations),
    memberships: collection<StoredMembership>(names.memberships),
    capabilities,
  };
}
