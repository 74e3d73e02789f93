import { MongoServerError, type Db, type Document, type IndexDescription } from 'mongodb';
import { isIndexNotFound, isNamespaceNotFound } from './errors';
import { ensureShardKeys } from './shard-keys';

export const COLLECTIONS = {
  users: 'users',
  deliveries: 'webhook_deliveries',
  assessments: 'assessments',
  sessions: 'sessions',
  syncRuns: 'sync_runs',
} as const;

/** How long the delivery ledger keeps entries (and so how long a svix-id is remembered). */
export const LEDGER_TTL_SECONDS = 30 * 24 * 3600;

const INDEXES: Record<string, IndexDescription[]> = {
  [COLLECTIONS.users]: [
    { key: { clerkId: 1 }, name: 'clerkId_unique', unique: true },
    // The People page: most recently seen first.
    { key: { lastSeen: -1 }, name: 'lastSeen' },
  ],
  // Retention (the server deletes entries older than LEDGER_TTL_SECONDS), and newest first for the admin
  // page. No other: every delivery writes one entry, and each index costs the server CPU on every insert.
  [COLLECTIONS.deliveries]: [{ key: { receivedAt: 1 }, name: 'receivedAt_ttl', expireAfterSeconds: LEDGER_TTL_SECONDS }],
  [COLLECTIONS.assessments]: [
    { key: { clerkUserId: 1, createdAt: -1 }, name: 'clerkUserId_createdAt' },
    { key: { userId: 1 }, name: 'userId' },
  ],
  [COLLECTIONS.sessions]: [
    // One record per session. The user's id first, as a sharded cluster requires of a unique index (shard-keys.ts);
    // a session belongs to one user, so the pair is as unique as the session id.
    { key: { clerkId: 1, sessionId: 1 }, name: 'clerkId_sessionId_unique', unique: true },
    // "Has this user an active session?" after every session event.
    { key: { clerkId: 1, status: 1 }, name: 'clerkId_status' },
  ],
};

/** Indexes earlier versions created that no query reads any more: each still costs every insert. */
const OBSOLETE_INDEXES = [
  { collection: COLLECTIONS.deliveries, name: 'clerkId_receivedAt' },
  // Replaced by clerkId_sessionId_unique; a sharded cluster could not shard sessions while it exists.
  { collection: COLLECTIONS.sessions, name: 'sessionId_unique' },
];

/**
 * Creates every index the app relies on, one `createIndexes` per collection,
 * then drops an obsolete one where a database still has it, then (on a
 * sharded cluster only) shards the collections. Idempotent: an identical
 * spec is a no-op, so it runs once per process start.
 */
export async function ensureIndexes(db: Db): Promise<void> {
  await Promise.all(Object.entries(INDEXES).map(([collection, specs]) => db.collection(collection).createIndexes(specs)));
  await Promise.all(OBSOLETE_INDEXES.map((index) => dropObsoleteIndex(db, index)));
  await ensureShardKeys(db);
}

/**
 * Housekeeping, so a refusal is logged and left for the next process start:
 * the app works with the index in place. The server refuses a drop while
 * another process builds an index on the collection; a lost connection
 * propagates as for any other set-up step.
 */
async function dropObsoleteIndex(db: Db, { collection, name }: { collection: string; name: string }): Promise<void> {
  if (!(await indexesOf(db, collection)).some((index) => index.name === name)) return;
  try {
    await db.collection(collection).dropIndex(name);
  } catch (error) {
    if (!(error instanceof MongoServerError)) throw error;
    if (!isIndexNotFound(error))
      console.warn(
        JSON.stringify({ event: 'obsolete_index_not_dropped', index: `${collection}.${name}`, error: error.codeName ?? error.name }),
      );
  }
}

/**
 * `collection.indexName` of every index `ensureIndexes()` creates that the
 * database lacks (matched by name and key). For diagnostics (doctor); a
 * collection that does not exist yet lacks all of its indexes.
 */
export async function missingIndexes(db: Db): Promise<string[]> {
  const missing: string[] = [];
  for (const [collection, specs] of Object.entries(INDEXES)) {
    const present = await indexesOf(db, collection);
    for (const spec of specs)
      if (!present.some((index) => index.name === spec.name && sameKey(index.key, spec.key)))
        missing.push(`${collection}.${spec.name ?? '?'}`);
  }
  return missing;
}

function indexesOf(db: Db, collection: string): Promise<Document[]> {
  return db
    .collection(collection)
    .listIndexes()
    .toArray()
    .catch((error: unknown) => {
      if (isNamespaceNotFound(error)) return [];
      throw error;
    });
}

function sameKey(actual: unknown, expected: IndexDescription['key']): boolean {
  return JSON.stringify(actual) === JSON.stringify(expected);
}
