import 'server-only';
import type { Collection, Db } from 'mongodb';
import { db } from '@/lib/db/client';
import { collectionIn, insertGrouped } from '@/lib/db/group-commit';
import { COLLECTIONS } from '@/lib/db/indexes';
import type { DeliveryOutcome } from './outcome';

/**
 * One entry per svix-id: what became of a delivery. It recognises a
 * redelivery and backs the admin page. No payload, no PII: ids, type, outcome
 * and timing only. The svix-id is also the `_id`, so recording a delivery is
 * one insert checked by the primary index, instead of a lookup plus an insert
 * into a second unique index.
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

type StoredDeliveryRecord = DeliveryRecord & { _id: string };

export function deliveriesCollection(database: Db): Collection<StoredDeliveryRecord> {
  return collectionIn<StoredDeliveryRecord>(database, COLLECTIONS.deliveries);
}

/** Whether this attempt is the one the ledger now holds, or the svix-id had already been answered with a 2xx. */
export type Recorded = 'recorded' | 'already_acknowledged';

/**
 * Records one attempt. The first attempt for a svix-id is a plain insert (the
 * common case, and cheaper than an upsert, by several times on some servers),
 * sent with the inserts of concurrent deliveries as one command. Later
 * attempts: a 2xx already on record stays, since a concurrent or late retry
 * of an applied delivery finds "stale" and the ledger must keep saying what
 * the delivery did; an earlier non-2xx is replaced by this attempt.
 */
export async function recordDelivery(record: Omit<DeliveryRecord, 'attempts'>): Promise<Recorded> {
  const deliveries = deliveriesCollection(await db());
  const _id = record.svixId;
  if ((await insertGrouped(deliveries, { _id, ...record, attempts: 1 })) === 'inserted') return 'recorded';
  const replaced = await deliveries.updateOne({ _id, status: { $gte: 300 } }, { $set: record, $inc: { attempts: 1 } });
  if (replaced.matchedCount > 0) return 'recorded';
  await deliveries.updateOne({ _id }, { $inc: { attempts: 1 } });
  return 'already_acknowledged';
}
