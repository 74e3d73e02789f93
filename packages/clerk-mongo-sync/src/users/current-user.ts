import { unlessDatabaseDown } from '../db/errors.js';
import { syncUserFromClerk, type FetchClerkUser, type JitTarget } from './jit.js';
import { findUser } from './repository.js';
import { hasProfile, type AppFields, type SyncedUser } from './schema.js';

/** A user's state as a page sees it: synced, being set up (no profile yet), deleted, or unknown (the database is away). */
export type CurrentUser<Fields extends AppFields = AppFields> =
  { state: 'ready'; user: SyncedUser<Fields> } | { state: 'pending' } | { state: 'deleted' } | { state: 'unavailable' };

/**
 * The user's document, synced just in time when no webhook has delivered it
 * yet. Every server path that shows the user or links data to them should go
 * through here. Never throws for the expected cases: Clerk not answering
 * leaves the user "pending", a database outage is "unavailable".
 */
export async function loadCurrentUser<Fields extends AppFields>(
  target: JitTarget,
  fetchUser: FetchClerkUser,
  clerkId: string,
): Promise<CurrentUser<Fields>> {
  return unlessDatabaseDown(
    async () => {
      const stored = await readState<Fields>(target, clerkId);
      if (stored.state !== 'pending') return stored;
      const synced = await syncUserFromClerk(target, fetchUser, clerkId);
      // Re-read whatever the sync did: a racing webhook may have written a newer version or a delete.
      return synced === 'applied' || synced === 'stale' ? await readState<Fields>(target, clerkId) : stored;
    },
    (): CurrentUser<Fields> => ({ state: 'unavailable' }),
  );
}

async function readState<Fields extends AppFields>(target: JitTarget, clerkId: string): Promise<CurrentUser<Fields>> {
  const user = await findUser<Fields>(await target.store(), clerkId);
  if (user?.deletedAt) return { state: 'deleted' };
  if (!user || !hasProfile(user)) return { state: 'pending' };
  return { state: 'ready', user };
}
