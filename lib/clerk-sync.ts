import 'server-only';
import { createClerkSync, type CurrentOrganization, type CurrentUser, type SyncedUser } from 'clerk-mongo-sync';
import { fetchMembershipWithClerkClient, fetchOrganizationWithClerkClient, fetchUserWithClerkClient } from 'clerk-mongo-sync/next';
import { applyDeletionPolicy } from '@/lib/assessments/repository';
import { db } from '@/lib/db/client';
import { env } from '@/lib/env';

/**
 * The app's Clerk → MongoDB sync engine (the clerk-mongo-sync package),
 * configured as any adopter configures it: the app's one shared client's
 * database, its own field from Clerk (the role, for /admin), what a deleted
 * user's records become, and the presence window. Settings read from the
 * environment on every use, so `next dev`'s reload of .env.local applies at
 * once. The webhook secret is the package's default: CLERK_WEBHOOK_SECRET
 * (or CLERK_WEBHOOK_SIGNING_SECRET), read per delivery.
 */
export const clerkSync = createClerkSync({
  database: db,
  /** `role` beside the profile: `{ role: 'admin' }` finds the admins; a tombstone drops it with the rest. */
  mapUser: ({ public_metadata }) => ({ role: typeof public_metadata.role === 'string' ? public_metadata.role : null }),
  /** A deleted user's assessments, under DELETION_POLICY: removed, or kept unlinked. Idempotent, as hooks must be. */
  onUserDeleted: async ({ clerkId }) => {
    await applyDeletionPolicy(clerkId, env().DELETION_POLICY);
  },
  presence: { windowSeconds: () => env().PRESENCE_WINDOW_SECONDS },
});

/** A user as the app reads it: the engine's fields and the app's own (`role`). */
export type AppUser = SyncedUser<{ role: string | null }>;

/**
 * The user's document, synced just in time from Clerk's Backend API (through
 * @clerk/nextjs's client) when no webhook has delivered it yet. Every server
 * path that shows the user or links data to them goes through here.
 */
export function loadUser(clerkId: string): Promise<CurrentUser<{ role: string | null }>> {
  return clerkSync.loadUser(clerkId, { fetchUser: fetchUserWithClerkClient });
}

/**
 * The session's active organization and the viewer's membership of it,
 * synced just in time from Clerk's Backend API (through @clerk/nextjs's
 * client) when no webhook has delivered them yet. Every server path that
 * shows an organization or links data to one goes through here, with the
 * ids from the server's session (`auth()`), never the browser's.
 */
export function loadOrganization(clerkOrgId: string, clerkUserId: string): Promise<CurrentOrganization> {
  return clerkSync.loadOrganization(clerkOrgId, clerkUserId, {
    fetchOrganization: fetchOrganizationWithClerkClient,
    fetchMembership: fetchMembershipWithClerkClient,
  });
}
