import 'server-only';
import type { Collection, Db } from 'mongodb';
import { isDuplicateKey } from '@/lib/db/errors';
import { COLLECTIONS, LEDGER_TTL_SECONDS } from '@/lib/db/indexes';
import type { DeliveryOutcome } from './outcome';

/**
 * One entry per svix-id: what became of a delivery. It makes redelivery a
 * no-op and backs the admin page. No payload, no PII: ids, type, outcome and
 * timing only.
 */
export type DeliveryRecord = {
  svixId: string;
  type: string;
  clerkId: string | null;
  outcome: DeliveryOutcome;
  status: number;
  receivedAt: Date;
  durationMs: number;
  attempts: number;
};

export function deliveriesCollection(database: Db): Collection<DeliveryRecord> {
  return database.collection<DeliveryRecord>(COLLECTIONS.deliveries);
}

/** True when this svix-id was already answered with a 2xx (so Svix will not retry it). */
export async function wasProcessed(database: Db, svixId: string): Promise<boolean> {
  const found = await deliveriesCollection(database).findOne({ svixId, status: { $lt: 300 } }, { projection: { _id: 1 } });
  return found !== null;
}

/**
 * Records one attempt. The first attempt for a svix-id is a plain insert (the
 * common case, and several times cheaper than an upsert on FerretDB). Later
 * attempts: a 2xx already on record stays, since a concurrent or late retry
 * of an applied delivery finds "stale" and the ledger must keep saying what
 * the delivery did; an earlier non-2xx is replaced by this attempt.
 */
export async function recordDelivery(database: Db, record: Omit<DeliveryRecord, 'attempts'>): Promise<void> {
  const deliveries = deliveriesCollection(database);
  try {
    await deliveries.insertOne({ ...record, attempts: 1 });
    return;
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
  }
  const { svixId, ...fields } = record;
  const replaced = await deliveries.updateOne({ svixId, status: { $gte: 300 } }, { $set: fields, $inc: { attempts: 1 } });
  if (replaced.matchedCount === 0) await deliveries.updateOne({ svixId }, { $inc: { attempts: 1 } });
}

const PRUNE_EVERY_MS = 10 * 60 * 1000;
let lastPrunedAt = 0;

/**
 * Bounded retention where the server has no TTL indexes (FerretDB v1): delete
 * expired entries, at most once per ten minutes per process.
 */
export async function pruneExpiredDeliveries(database: Db, now = Date.now()): Promise<number> {
  if (now - lastPrunedAt < PRUNE_EVERY_MS) return 0;
  lastPrunedAt = now;
  const cutoff = new Date(now - LEDGER_TTL_SECONDS * 1000);
  const { deletedCount } = await deliveriesCollection(database).deleteMany({ receivedAt: { $lt: cutoff } });
  return deletedCount;
}
