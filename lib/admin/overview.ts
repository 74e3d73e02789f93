import 'server-only';
import { unlessDatabaseDown, type DeliveryRecord } from 'clerk-mongo-sync';
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
    }
  | { state: 'unavailable' };

const DAY_MS = 24 * 3_600_000;

/** Everything the admin page shows, read in parallel; a database outage is a state, not a crash. */
export async function loadAdminOverview(now = new Date()): Promise<AdminOverview> {
  return unlessDatabaseDown(
    async (): Promise<AdminOverview> => {
      // Through the engine's accessors: its collections, whatever they are named.
      const [users, ledger] = await Promise.all([clerkSync.users.collection(), clerkSync.deliveries.collection()]);
      const [recent, last24h, hourly, total, deleted] = await Promise.all([
        recentDeliveries(ledger),
        countByOutcome(ledger, new Date(now.getTime() - DAY_MS)),
        hourlyByOutcome(ledger, now),
        users.countDocuments({}),
        users.countDocuments({ deletedAt: { $ne: null } }),
      ]);
      return { state: 'ready', generatedAt: now, recent, last24h, hourly, users: { total, deleted } };
    },
    (): AdminOverview => ({ state: 'unavailable' }),
  );
}
