import 'server-only';
import { STATUS_BY_OUTCOME, type DeliveryOutcome, type DeliveryRecord, type StoredDeliveryRecord } from 'clerk-mongo-sync';
import type { Collection } from 'mongodb';

/** The engine's delivery ledger (`clerkSync.deliveries.collection()`). */
type Ledger = Collection<StoredDeliveryRecord>;

/** Every outcome the ledger can hold, in a fixed order (tables, legends). */
export const OUTCOMES = Object.keys(STATUS_BY_OUTCOME) as DeliveryOutcome[];

export type OutcomeCounts = Record<DeliveryOutcome, number>;
export type HourBucket = { start: Date; counts: OutcomeCounts };

const HOUR_MS = 3_600_000;

function emptyCounts(): OutcomeCounts {
  return Object.fromEntries(OUTCOMES.map((outcome) => [outcome, 0])) as OutcomeCounts;
}

/** Newest first (ties by insertion order); the ledger's receivedAt index serves the sort. */
export function recentDeliveries(ledger: Ledger, limit = 100): Promise<DeliveryRecord[]> {
  return ledger
    .find({}, { projection: { _id: 0 } })
    .sort({ receivedAt: -1, _id: -1 })
    .limit(limit)
    .toArray();
}

/** Deliveries per outcome received since `from`. Counted by the server: no ledger entry is loaded. */
export async function countByOutcome(ledger: Ledger, from: Date): Promise<OutcomeCounts> {
  const rows = await ledger
    .aggregate<{ _id: DeliveryOutcome; count: number }>([
      { $match: { receivedAt: { $gte: from } } },
      { $group: { _id: '$outcome', count: { $sum: 1 } } },
    ])
    .toArray();
  const counts = emptyCounts();
  for (const row of rows) if (row._id in counts) counts[row._id] = row.count;
  return counts;
}

/** A delivery's clock hour (UTC), as the server groups it: "2026-12-01T14:00:00Z". Every MongoDB since 4.0 has `$dateToString` with a time zone. */
const HOUR_OF_RECEIPT = { $dateToString: { date: '$receivedAt', format: '%Y-%m-%dT%H:00:00Z', timezone: 'UTC' } };

/**
 * The last `hours` clock hours (UTC; the current one included, still
 * filling), each counted by outcome in one aggregation grouped by hour.
 */
export async function hourlyByOutcome(ledger: Ledger, now: Date, hours = 24): Promise<HourBucket[]> {
  const currentHour = Math.floor(now.getTime() / HOUR_MS) * HOUR_MS;
  const starts = Array.from({ length: hours }, (_, index) => new Date(currentHour - (hours - 1 - index) * HOUR_MS));
  const buckets = new Map(starts.map((start) => [start.getTime(), { start, counts: emptyCounts() }]));
  const rows = await ledger
    .aggregate<{ _id: { hour: string; outcome: DeliveryOutcome }; count: number }>([
      { $match: { receivedAt: { $gte: starts[0], $lt: new Date(currentHour + HOUR_MS) } } },
      { $group: { _id: { hour: HOUR_OF_RECEIPT, outcome: '$outcome' }, count: { $sum: 1 } } },
    ])
    .toArray();
  for (const { _id, count } of rows) {
    const counts = buckets.get(Date.parse(_id.hour))?.counts;
    if (counts && _id.outcome in counts) counts[_id.outcome] = count;
  }
  return [...buckets.values()];
}
