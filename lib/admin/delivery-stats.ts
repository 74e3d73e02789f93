import 'server-only';
import type { Db } from 'mongodb';
import { deliveriesCollection, type DeliveryRecord } from '@/lib/webhooks/ledger';
import { STATUS_BY_OUTCOME, type DeliveryOutcome } from '@/lib/webhooks/outcome';

/** Every outcome the ledger can hold, in a fixed order (tables, legends). */
export const OUTCOMES = Object.keys(STATUS_BY_OUTCOME) as DeliveryOutcome[];

export type OutcomeCounts = Record<DeliveryOutcome, number>;
export type HourBucket = { start: Date; counts: OutcomeCounts };

const HOUR_MS = 3_600_000;

function emptyCounts(): OutcomeCounts {
  return Object.fromEntries(OUTCOMES.map((outcome) => [outcome, 0])) as OutcomeCounts;
}

/** Newest first (ties by insertion order); the ledger's receivedAt index serves the sort. */
export function recentDeliveries(database: Db, limit = 100): Promise<DeliveryRecord[]> {
  return deliveriesCollection(database)
    .find({}, { projection: { _id: 0 } })
    .sort({ receivedAt: -1, _id: -1 })
    .limit(limit)
    .toArray();
}

/** Deliveries per outcome received in [from, to), or since `from`. Counted by the server: no ledger entry is loaded. */
export async function countByOutcome(database: Db, from: Date, to?: Date): Promise<OutcomeCounts> {
  const rows = await deliveriesCollection(database)
    .aggregate<{ _id: DeliveryOutcome; count: number }>([
      { $match: { receivedAt: to ? { $gte: from, $lt: to } : { $gte: from } } },
      { $group: { _id: '$outcome', count: { $sum: 1 } } },
    ])
    .toArray();
  const counts = emptyCounts();
  for (const row of rows) if (row._id in counts) counts[row._id] = row.count;
  return counts;
}

/**
 * The last `hours` clock hours (the current one included, still filling), each
 * counted by outcome: one aggregation grouping by `$dateTrunc` where the
 * server has it, else one range query per hour (each an index range scan).
 */
export async function hourlyByOutcome(
  database: Db,
  now: Date,
  { hours = 24, dateGrouping }: { hours?: number; dateGrouping: boolean },
): Promise<HourBucket[]> {
  const currentHour = Math.floor(now.getTime() / HOUR_MS) * HOUR_MS;
  const starts = Array.from({ length: hours }, (_, index) => new Date(currentHour - (hours - 1 - index) * HOUR_MS));
  if (!dateGrouping) {
    return Promise.all(
      starts.map(async (start) => ({ start, counts: await countByOutcome(database, start, new Date(start.getTime() + HOUR_MS)) })),
    );
  }
  const buckets = new Map(starts.map((start) => [start.getTime(), { start, counts: emptyCounts() }]));
  const rows = await deliveriesCollection(database)
    .aggregate<{ _id: { hour: Date; outcome: DeliveryOutcome }; count: number }>([
      { $match: { receivedAt: { $gte: new Date(currentHour - (hours - 1) * HOUR_MS), $lt: new Date(currentHour + HOUR_MS) } } },
      { $group: { _id: { hour: { $dateTrunc: { date: '$receivedAt', unit: 'hour' } }, outcome: '$outcome' }, count: { $sum: 1 } } },
    ])
    .toArray();
  for (const { _id, count } of rows) {
    const counts = buckets.get(_id.hour.getTime())?.counts;
    if (counts && _id.outcome in counts) counts[_id.outcome] = count;
  }
  return [...buckets.values()];
}
