import type { Db, Document, IndexDescription } from 'mongodb';
import { logEvent, type Log } from '../engine/log.js';
import { isIndexNotFound, isNamespaceNotFound } from './errors.js';

/** The engine's collections, each by the name it has in the adopter's database. */
export type CollectionNames = {
  /** One document per Clerk user: the profile, the order guard, tombstones, presence. */
  users: string;
  /** The delivery ledger: one entry per svix-id. */
  deliveries: string;
  /** One document per Clerk session, for presence. */
  sessions: string;
  /** Backfill and reconcile checkpoints, one per kind. */
  syncRuns: string;
  /** One document per Clerk organization: its profile, the order guard, tombstones. */
  organizations: string;
  /** One document per (organization, user) pair: role, permissions, both sides linked; ended ones kept. */
  memberships: string;
};

export const DEFAULT_COLLECTIONS: Readonly<CollectionNames> = {
  users: 'users',
  deliveries: 'webhook_deliveries',
  sessions: 'sessions',
  syncRuns: 'sync_runs',
  organizations: 'organizations',
  memberships: 'memberships',
};

/** How long the delivery ledger keeps entries (and so how long a svix-id is remembered). */
export const LEDGER_TTL_SECONDS = 30 * 24 * 3600;

function indexesFor(names: CollectionNames): Record<string, IndexDescription[]> {
  return {
    [names.users]: [
      { key: { clerkId: 1 }, name: 'clerkId_unique', unique: true },
      // The People page: most recently seen first.
      { key: { lastSeen: -1 }, name: 'lastSeen' },
    ],
    // Retention (the server deletes entries older than LEDGER_TTL_SECONDS), and newest first for the admin
    // page. No other: every delivery writes one entry, and each index costs the server CPU on every insert.
    [names.deliveries]: [{ key: { receivedAt: 1 }, name: 'receivedAt_ttl', expireAfterSeconds: LEDGER_TTL_SECONDS }],
    [names.sessions]: [
      { key: { sessionId: 1 }, name: 'sessionId_unique', unique: true },
      // "Has this user an active session?" after every session event.
      { key: { clerkId: 1, status: 1 }, name: 'clerkId_status' },
    ],
    [names.organizations]: [{ key: { clerkOrgId: 1 }, name: 'clerkOrgId_unique', unique: true }],
    // Unique per pair, the organization first: an organization's members are one range of it, and a
    // collection sharded on { clerkOrgId: 'hashed' } can keep it (a unique index must start with the shard key).
    [names.memberships]: [
      { key: { clerkOrgId: 1, clerkUserId: 1 }, name: 'clerkOrgId_clerkUserId_unique', unique: true },
      // A user's memberships (their organizations, and ending them when the user is deleted).
      { key: { clerkUserId: 1 }, name: 'clerkUserId' },
    ],
  };
}

/** Indexes earlier versions created that no query reads any more: each still costs every insert. */
function obsoleteIndexes(names: CollectionNames) {
  return [{ collection: names.deliveries, name: 'clerkId_receivedAt' }];
}

/**
 * Creates every index the engine relies on, one `createIndexes` per collection,
 * then drops an obsolete one where a database still has it. Idempotent: an
 * identical spec is a no-op, so it runs once per process and database.
 */
export async function ensureIndexes(db: Db, names: CollectionNames, log: Log): Promise<void> {
  await Promise.all(Object.entries(indexesFor(names)).map(([collection, specs]) => db.collection(collection).createIndexes(specs)));
  await Promise.all(obsoleteIndexes(names).map((index) => dropObsoleteIndex(db, index, log)));
}

/**
 * Housekeeping, so a refusal is logged and left for the next process start:
 * the app works with the index in place. The server refuses a drop while
 * another process builds an index on the collection; a lost connection
 * propagates as for any other set-up step.
 */
async function dropObsoleteIndex(db: Db, { collection, name }: { collection: string; name: string }, log: Log): Promise<void> {
  if (!(await indexesOf(db, collection)).some((index) => index.name === name)) return;
  try {
    await db.collection(collection).dropIndex(name);
  } catch (error) {
    const codeName = (error as { codeName?: unknown }).codeName;
    if (typeof codeName !== 'string') throw error;
    if (!isIndexNotFound(error)) logEvent(log, 'warn', 'obsolete_index_not_dropped', { index: `${collection}.${name}`, error: codeName });
  }
}

/**
 * `collection.indexName` of every index `ensureIndexes()` creates that the
 * database lacks (matched by name and key). For diagnostics (doctor); a
 * collection that does not exist yet lacks all of its indexes.
 */
export async function missingIndexes(db: Db, names: CollectionNames): Promise<string[]> {
  const missing: string[] = [];
  for (const [collection, specs] of Object.entries(indexesFor(names))) {
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
