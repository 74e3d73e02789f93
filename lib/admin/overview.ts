import 'server-only';
import { db } from '@/lib/db/client';
import { unlessDatabaseDown } from '@/lib/db/errors';
import { usersCollection } from '@/lib/users/repository';
import type { DeliveryRecord } from '@/lib/webhooks/ledger';
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
      const database = await db();
      const users = usersCollection(database);
      const [recent, last24h, hourly, total, deleted] = await Promise.all([
        recentDeliveries(database),
        countByOutcome(database, new Date(now.getTime() - DAY_MS)),
        hourlyByOutcome(database, now),
        users.countDocuments({}),
        users.countDocuments({ deletedAt: { $ne: null } }),
      ]);
      return { state: 'ready', generatedAt: now, recent, last24h, hourly, users: { total, deleted } };
    },
    (): AdminOverview => ({ state: 'unavailable' }),
  );
}
