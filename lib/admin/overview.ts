import 'server-only';
import { unlessDatabaseDown, type DeliveryRecord } from 'clerk-mongo-sync';
import type { Collection, Filter } from 'mongodb';
import { clerkSync } from '@/lib/clerk-sync';
import { countByOutcome, hourlyByOutcome, recentDeliveries, type HourBucket, type OutcomeCounts } from './delivery-stats';

export type AdminOverview =
  | {
      state: 'ready';
      generatedAt: Date;
      recent: DeliveryRecord[];
      last24h: OutcomeCounts;
      hourly: HourBucket[];
      users: { total: number; deleted: number };
      organizations: { total: number; deleted: number };
      /** Ended: left, removed, or with their organization or user deleted. */
      memberships: { total: number; ended: number };
    }
  | { state: 'unavailable' };

const DAY_MS = 24 * 3_600_000;

/** All documents, and those with `deletedAt` (tombstones; ended memberships): the engine's collections mark both alike. */
async function totalAndDeleted<T extends { deletedAt?: Date | null }>(
  collection: Collection<T>,
): Promise<{ total: number; deleted: number }> {
  const deletedFilter = { deletedAt: { $ne: null } } as Filter<T>;
  const [total, deleted] = await Promise.all([collection.countDocuments({}), collection.countDocuments(deletedFilter)]);
  return { total, deleted };
}

/** Everything the admin page shows, read in parallel; a database outage is a state, not a crash. */
export async function loadAdminOverview(now = new Date()): Promise<AdminOverview> {
  return unlessDatabaseDown(
    async (): Promise<AdminOverview> => {
      // Through the engine's accessors: its collections, whatever they are named.
      const [users, organizations, memberships, ledger] = await Promise.all([
        clerkSync.users.collection(),
        clerkSync.organizations.collection(),
        clerkSync.memberships.collection(),
        clerkSync.deliveries.collection(),
      ]);
      const [recent, last24h, hourly, userCounts, organizationCounts, membershipCounts] = await Promise.all([
        recentDeliveries(ledger),
        countByOutcome(ledger, new Date(now.getTime() - DAY_MS)),
        hourlyByOutcome(ledger, now),
        totalAndDeleted(users),
        totalAndDeleted(organizations),
        totalAndDeleted(memberships),
      ]);
      return {
        state: 'ready',
        generatedAt: now,
        recent,
        last24h,
        hourly,
        users: userCounts,
        organizations: organizationCounts,
        memberships: { total: membershipCounts.total, ended: membershipCounts.deleted },
      };
    },
    (): AdminOverview => ({ state: 'unavailable' }),
  );
}
