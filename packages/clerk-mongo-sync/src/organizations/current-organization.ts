import { unlessDatabaseDown } from '../db/errors.js';
import type { Store } from '../engine/store.js';
import { isClerkUserId } from '../users/clerk-user.js';
import { isClerkOrgId } from './clerk-organization.js';
import { syncOrganizationFromClerk, type OrganizationFetchers, type OrganizationJitTarget } from './jit.js';
import { findMembership } from './memberships.js';
import { findOrganization } from './repository.js';
import type { StoredMembership, StoredOrganization } from './schema.js';

/**
 * The signed-in user's active organization as a page sees it: `ready` only
 * for a live organization and an active membership of that user;
 * `not_member` when Clerk or the database says the user has none there;
 * `deleted` for a tombstone; `pending` when nothing is synced and Clerk did
 * not answer; `unavailable` when the database is away.
 */
export type CurrentOrganization =
  | { state: 'ready'; organization: StoredOrganization; membership: StoredMembership }
  | { state: 'pending' }
  | { state: 'not_member' }
  | { state: 'deleted' }
  | { state: 'unavailable' };

/**
 * The organization and the user's membership of it, synced just in time
 * when no webhook has delivered them yet (or the stored membership has ended:
 * the session says the user is a member, so they may have rejoined). Never
 * throws for the expected cases.
 */
export async function loadCurrentOrganization(
  target: OrganizationJitTarget,
  fetchers: OrganizationFetchers,
  clerkOrgId: string,
  clerkUserId: string,
): Promise<CurrentOrganization> {
  if (!isClerkOrgId(clerkOrgId) || !isClerkUserId(clerkUserId)) return { state: 'not_member' };
  return unlessDatabaseDown(
    async (): Promise<CurrentOrganization> => {
      const stored = await readState(await target.store(), clerkOrgId, clerkUserId);
      if (stored.state === 'ready' || stored.state === 'deleted') return stored;
      const synced = await syncOrganizationFromClerk(target, fetchers, clerkOrgId, clerkUserId);
      if (synced === 'not_member' || synced === 'not_in_clerk') return { state: 'not_member' };
      // Re-read whatever the sync did: a racing webhook may have written a newer version or a delete.
      return synced === 'synced' ? await readState(await target.store(), clerkOrgId, clerkUserId) : stored;
    },
    (): CurrentOrganization => ({ state: 'unavailable' }),
  );
}

async function readState(store: Store, clerkOrgId: string, clerkUserId: string): Promise<CurrentOrganization> {
  const [organization, membership] = await Promise.all([
    findOrganization(store, clerkOrgId),
    findMembership(store, clerkOrgId, clerkUserId),
  ]);
  if (organization?.deletedAt) return { state: 'deleted' };
  if (!organization || !membership) return { state: 'pending' };
  if (membership.deletedAt) return { state: 'not_member' };
  return { state: 'ready', organization, membership };
}
