import 'server-only';
import { isClerkUserId, unlessDatabaseDown } from 'clerk-mongo-sync';
import { fetchUserWithClerkClient } from 'clerk-mongo-sync/next';
import { clerkSync } from '@/lib/clerk-sync';

/** What a re-sync did, and how the admin page says it. */
export const RESYNC_MESSAGES = {
  synced: { ok: true, text: 'synced from Clerk: the stored profile now matches Clerk’s.' },
  unchanged: { ok: true, text: 'already up to date (or deleted here: deletes are final, a re-sync never brings a user back).' },
  not_in_clerk: { ok: false, text: 'Clerk has no such user.' },
  clerk_unavailable: { ok: false, text: 'Clerk’s Backend API did not answer usably (check CLERK_SECRET_KEY); nothing was changed.' },
  database_unavailable: { ok: false, text: 'the database is unavailable; nothing was changed. Try again shortly.' },
  invalid_id: { ok: false, text: 'not a Clerk user id (user_…).' },
} as const satisfies Record<string, { ok: boolean; text: string }>;

export type ResyncResult = keyof typeof RESYNC_MESSAGES;

function isResyncResult(value: string): value is ResyncResult {
  return Object.hasOwn(RESYNC_MESSAGES, value);
}

/** The last re-sync's result, passed back in the query string by the server action's redirect; ignored unless well-formed. */
export function lastResyncFrom(
  params: Record<string, string | string[] | undefined>,
): { userId: string; result: ResyncResult } | undefined {
  const { resynced, result } = params;
  if (typeof resynced !== 'string' || typeof result !== 'string' || !isResyncResult(result)) return undefined;
  return { userId: resynced, result };
}

/**
 * The just-in-time sync, forced from the admin page: Clerk's current profile
 * through the same order-guarded upsert webhooks use.
 */
export async function resyncUserFromClerk(userId: string): Promise<ResyncResult> {
  if (!isClerkUserId(userId)) return 'invalid_id';
  return unlessDatabaseDown(
    async () => {
      const result = await clerkSync.syncUser(userId, { fetchUser: fetchUserWithClerkClient });
      return result === 'applied' ? 'synced' : result === 'stale' ? 'unchanged' : result;
    },
    () => 'database_unavailable' as const,
  );
}
