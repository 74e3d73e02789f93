import type { Db, IndexDescription } from 'mongodb';
import { isNotImplemented } from './errors';

export const COLLECTIONS = {
  users: 'users',
  deliveries: 'webhook_deliveries',
  assessments: 'assessments',
} as const;

/** How long the delivery ledger keeps entries (and so how long a svix-id is remembered). */
export const LEDGER_TTL_SECONDS = 30 * 24 * 3600;

const INDEXES: Record<string, IndexDescription[]> = {
  [COLLECTIONS.users]: [{ key: { clerkId: 1 }, name: 'clerkId_unique', unique: true }],
  [COLLECTIONS.deliveries]: [
    { key: { svixId: 1 }, name: 'svixId_unique', unique: true },
    { key: { clerkId: 1, receivedAt: -1 }, name: 'clerkId_receivedAt' },
  ],
  [COLLECTIONS.assessments]: [
    { key: { clerkUserId: 1, createdAt: -1 }, name: 'clerkUserId_createdAt' },
    { key: { userId: 1 }, name: 'userId' },
  ],
};

const TTL_INDEX: IndexDescription = {
  key: { receivedAt: 1 },
  name: 'receivedAt_ttl',
  expireAfterSeconds: LEDGER_TTL_SECONDS,
};

export type IndexReport = {
  /** Whether the server expires ledger entries itself (MongoDB) or the app must prune them (FerretDB v1). */
  serverTtl: boolean;
};

/**
 * Creates every index the app relies on. Idempotent: `createIndexes` with an
 * identical spec is a no-op, so it runs once per process start.
 */
export async function ensureIndexes(db: Db): Promise<IndexReport> {
  await Promise.all(
    Object.entries(INDEXES).map(([collection, specs]) => db.collection(collection).createIndexes(specs)),
  );
  return { serverTtl: await ensureTtlIndex(db) };
}

async function ensureTtlIndex(db: Db): Promise<boolean> {
  const deliveries = db.collection(COLLECTIONS.deliveries);
  try {
    await deliveries.createIndexes([TTL_INDEX]);
    return true;
  } catch (error) {
    // FerretDB v1 has no TTL indexes: keep a plain index for the pruning query.
    if (!isNotImplemented(error)) throw error;
    await deliveries.createIndexes([{ key: TTL_INDEX.key, name: 'receivedAt' }]);
    return false;
  }
}
