import 'server-only';
import { unlessDatabaseDown } from '@/lib/db/errors';
import { syncUserFromClerk } from './jit';
import { findUserByClerkId } from './repository';
import { hasProfile, type UserDocument } from './schema';

export type CurrentUser = { state: 'ready'; user: UserDocument } | { state: 'pending' } | { state: 'deleted' } | { state: 'unavailable' };

/**
 * The signed-in user's document, synced just in time when no webhook has
 * delivered it yet. Every server path that shows the user or links data to
 * them goes through here. Never throws for the expected cases: Clerk not
 * answering leaves the user "pending", a database outage is "unavailable".
 */
export async function loadCurrentUser(clerkId: string): Promise<CurrentUser> {
  return unlessDatabaseDown(
    async () => {
      const stored = await readState(clerkId);
      if (stored.state !== 'pending') return stored;
      const synced = await syncUserFromClerk(clerkId);
      // Re-read whatever the sync did: a racing webhook may have written a newer version or a delete.
      return synced === 'applied' || synced === 'stale' ? await readState(clerkId) : stored;
    },
    (): CurrentUser => ({ state: 'unavailable' }),
  );
}

async function readState(clerkId: string): Promise<CurrentUser> {
  const user = await findUserByClerkId(clerkId);
  if (user?.deletedAt) return { state: 'deleted' };
  if (!user || !hasProfile(user)) return { state: 'pending' };
  return { state: 'ready', user };
}
