import { insertGrouped } from '../db/group-commit.js';
import type { Store } from '../engine/store.js';
import type { DeliveryRecord } from './delivery-record.js';

export type { DeliveryRecord, StoredDeliveryRecord } from './delivery-record.js';

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
export async function recordDelivery(store: Store, record: Omit<DeliveryRecord, 'attempts'>): Promise<Recorded> {
  const { deliveries } = store;
  const _id = record.svixId;
  if ((await insertGrouped(deliveries, { _id, ...record, attempts: 1 })) === 'inserted') return 'recorded';
  const replaced = await deliveries.updateOne({ _id, status: { $gte: 300 } }, { $set: record, $inc: { attempts: 1 } });
  if (replaced.matchedCount > 0) return 'recorded';
  await deliveries.updateOne({ _id }, { $inc: { attempts: 1 } });
  return 'already_acknowledged';
}

/** Whether the svix-id was already answered with a 2xx: a redelivery, whose hooks have already run. */
export async function wasAcknowledged(store: Store, svixId: string): Promise<boolean> {
  return (await store.deliveries.countDocuments({ _id: svixId, status: { $lt: 300 } }, { limit: 1 })) > 0;
}
