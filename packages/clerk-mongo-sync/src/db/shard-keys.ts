import type { Db, Document } from 'mongodb';
import { consoleLog, logEvent, type Log } from '../engine/log.js';
import { serverCodeOf } from './errors.js';
import type { CollectionNames } from './indexes.js';

/** A shard key: each field ranged (`1`) or hashed. */
export type ShardKey = Record<string, 1 | 'hashed'>;

/**
 * Where each of the engine's collections lives on a sharded cluster: its
 * shard key, or `null` for a collection left whole on the database's primary
 * shard. Every per-user read and write carries its collection's key, so a
 * mongos sends it to one shard.
 *
 * Hashed, all of them: Clerk's ids (user_…, sess_…, org_…, and Svix's msg_…) are
 * time-ordered, so a ranged key on them would send every new user, session or
 * delivery to the chunk at the top of the range, one shard doing all the
 * inserts. Hashing spreads them, and an empty collection is split at once
 * (two chunks per shard). A unique index must start with the shard key's
 * fields and cannot itself be hashed: each unique index here is a ranged
 * index whose first field is the hashed key's (users' `clerkId_unique`,
 * sessions' `clerkId_sessionId_unique`), which MongoDB allows, since every
 * document with one value of that field lives in one chunk.
 */
export const ENGINE_SHARD_KEYS: Readonly<Record<keyof CollectionNames, ShardKey | null>> = {
  // Written and read by clerkId; the unique clerkId index is what makes concurrent first deliveries safe.
  users: { clerkId: 'hashed' },
  // The svix-id is the `_id`: recording a delivery is one insert, a retry one update, both by `_id`.
  deliveries: { _id: 'hashed' },
  // By user, not by session id: presence asks for a user's sessions, deletion removes them all.
  sessions: { clerkId: 'hashed' },
  // Two documents (one per sync kind), read and written by `_id`: nothing to spread.
  syncRuns: null,
  // Written and read by clerkOrgId (org_… ids are time-ordered too); unique on clerkOrgId.
  organizations: { clerkOrgId: 'hashed' },
  // By organization: its members are read together, and every membership write names the pair,
  // so `clerkOrgId_clerkUserId_unique` starts with the key. A user's memberships (`ofUser`) ask every shard.
  memberships: { clerkOrgId: 'hashed' },
};

/** The engine's keys by the collections' configured names. */
export function engineShardKeys(names: CollectionNames): Record<string, ShardKey | null> {
  const roles = Object.keys(ENGINE_SHARD_KEYS) as (keyof CollectionNames)[];
  return Object.fromEntries(roles.map((role) => [names[role], ENGINE_SHARD_KEYS[role]]));
}

const UNAUTHORIZED = 13;
const ALREADY_INITIALIZED = 23;
/** Atlas's answer to a command the database user's role does not allow. */
const ATLAS_ERROR = 8000;

function isNotAllowed(error: unknown): boolean {
  const code = serverCodeOf(error);
  return code === UNAUTHORIZED || code === ATLAS_ERROR;
}

/**
 * On a sharded cluster (`db` is reached through a mongos), shards each
 * collection of `keys` that has a key, `null` leaving one whole; elsewhere
 * it does nothing. Idempotent: a collection already sharded (the cluster's
 * catalogue says so) is left as it is. Where the database user may not shard
 * collections, or an operator sharded one on other fields, it says so in the
 * log and carries on: the collection still works, on one shard or on the
 * operator's key.
 *
 * ```ts
 * await shardCollections(db, { notes: { clerkId: 'hashed' } });
 * ```
 */
export async function shardCollections(
  db: Db,
  keys: Readonly<Record<string, ShardKey | null>>,
  { log = consoleLog }: { log?: Log } = {},
): Promise<void> {
  const admin = db.admin();
  if ((await admin.command({ hello: 1 })).msg !== 'isdbgrid') return;
  try {
    await admin.command({ enableSharding: db.databaseName });
  } catch (error) {
    if (!isNotAllowed(error)) throw error;
    logEvent(log, 'warn', 'collections_not_sharded', { database: db.databaseName, reason: 'the database user may not enable sharding' });
    return;
  }
  await Promise.all(Object.entries(keys).map(([collection, key]) => (key ? shardCollection(db, collection, key, log) : undefined)));
}

async function shardCollection(db: Db, collection: string, key: ShardKey, log: Log): Promise<void> {
  const namespace = `${db.databaseName}.${collection}`;
  const found = await currentShardKey(db, namespace);
  if (found) return checkShardKey(namespace, key, found, log);
  try {
    // A collection that holds documents needs the key's index first; an empty one is then split at once.
    await db.collection(collection).createIndex(key);
    await db.admin().command({ shardCollection: namespace, key });
  } catch (error) {
    if (isNotAllowed(error))
      return logEvent(log, 'warn', 'collection_not_sharded', { namespace, reason: 'the database user may not shard it' });
    if (serverCodeOf(error) !== ALREADY_INITIALIZED) throw error;
    // Sharded already, on another key: by an operator, the catalogue unreadable to us.
    checkShardKey(namespace, key, await currentShardKey(db, namespace), log);
  }
}

/** A key on the same fields (say ranged where we hash) is as good: every filter still names them. */
function checkShardKey(namespace: string, expected: ShardKey, found: Document | undefined, log: Log): void {
  if (found && Object.keys(found).every((field) => field in expected)) return;
  logEvent(log, 'warn', 'shard_key_differs', { namespace, expected, found: found ?? 'unreadable (no access to config.collections)' });
}

/** The shard key a collection has, from the cluster's catalogue; undefined when it has none or the database user may not read it. */
async function currentShardKey(db: Db, namespace: string): Promise<Document | undefined> {
  try {
    const entry = await db.client
      .db('config')
      .collection<{ _id: string; key: Document; dropped?: boolean }>('collections')
      .findOne({ _id: namespace, dropped: { $ne: true } });
    return entry?.key;
  } catch (error) {
    if (isNotAllowed(error)) return undefined;
    throw error;
  }
}
