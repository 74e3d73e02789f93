import type { Db, Document, IndexDescription } from 'mongodb';
import type { Capabilities } from './capabilities';
import { isNamespaceNotFound } from './errors';

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
  [COLLECTIONS.deliveries]: [{ key: { clerkId: 1, receivedAt: -1 }, name: 'clerkId_receivedAt' }],
  [COLLECTIONS.assessments]: [
    { key: { clerkUserId: 1, createdAt: -1 }, name: 'clerkUserId_createdAt' },
    { key: { userId: 1 }, name: 'userId' },
  ],
  [COLLECTIONS.sessions]: [
    { key: { sessionId: 1 }, name: 'sessionId_unique', unique: true },
    // "Has this user an active session?" after every session event.
    { key: { clerkId: 1, status: 1 }, name: 'clerkId_status' },
  ],
};

const TTL_INDEX: IndexDescription = {
  key: { receivedAt: 1 },
  name: 'receivedAt_ttl',
  expireAfterSeconds: LEDGER_TTL_SECONDS,
};

/**
 * Creates every index the app relies on. Idempotent: `createIndexes` with an
 * identical spec is a no-op, so it runs once per process start.
 *
 * One index per command: a server without full `createIndexes` support has
 * been seen to crash answering one of several indexes that all exist already,
 * and the client then hangs until its socket timeout — on every restart
 * against an existing database. One per command costs nothing on MongoDB.
 */
export async function ensureIndexes(db: Db, { ttlIndexes }: Pick<Capabilities, 'ttlIndexes'>): Promise<void> {
  const ledgerIndex = ttlIndexes ? TTL_INDEX : TTL_FALLBACK_INDEX;
  const all = { ...INDEXES, [COLLECTIONS.deliveries]: [...(INDEXES[COLLECTIONS.deliveries] ?? []), ledgerIndex] };
  await Promise.all(
    Object.entries(all).map(async ([collection, specs]) => {
      for (const spec of specs) await db.collection(collection).createIndexes([spec]);
    }),
  );
}

/** Without TTL indexes, a plain index on the same key serves the app's pruning query. */
const TTL_FALLBACK_INDEX: IndexDescription = { key: TTL_INDEX.key, name: 'receivedAt' };

type Requirement = { collection: string; anyOf: IndexDescription[] };

function requiredIndexes(): Requirement[] {
  return [
    ...Object.entries(INDEXES).flatMap(([collection, specs]) => specs.map((spec) => ({ collection, anyOf: [spec] }))),
    // Either the TTL index or, where the server has no TTL indexes, its plain fallback.
    { collection: COLLECTIONS.deliveries, anyOf: [TTL_INDEX, TTL_FALLBACK_INDEX] },
  ];
}

/**
 * `collection.indexName` of every index `ensureIndexes()` creates that the
 * database lacks (matched by name and key). For diagnostics (doctor); a
 * collection that does not exist yet lacks all of its indexes.
 */
export async function missingIndexes(db: Db): Promise<string[]> {
  const listed = new Map<string, Document[]>();
  const missing: string[] = [];
  for (const { collection, anyOf } of requiredIndexes()) {
    const present = listed.get(collection) ?? (await indexesOf(db, collection));
    listed.set(collection, present);
    const found = anyOf.some((spec) => present.some((index) => index.name === spec.name && sameKey(index.key, spec.key)));
    if (!found) missing.push(`${collection}.${anyOf[0]?.name ?? '?'}`);
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
