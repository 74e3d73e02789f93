import { logEvent, type Log } from '../engine/log.js';
import type { Store } from '../engine/store.js';
import { fetchFromClerk, type Fetched } from '../users/jit.js';
import { clerkMembershipJsonSchema, clerkOrganizationJsonSchema } from './clerk-organization.js';
import { applyMembership } from './memberships.js';
import { upsertOrganization } from './repository.js';

/**
 * Fetches one organization's JSON from Clerk's Backend API
 * (`GET /v1/organizations/:id`). Fails as `FetchClerkUser` does: an error
 * carrying Clerk's HTTP `status` (404: no such organization).
 */
export type FetchClerkOrganization = (clerkOrgId: string) => Promise<unknown>;

/**
 * Fetches one user's membership JSON of an organization from Clerk's Backend
 * API (`GET /v1/organizations/:id/memberships?user_id=…`); an error with
 * `status` 404 when the user is no member.
 */
export type FetchClerkMembership = (clerkOrgId: string, clerkUserId: string) => Promise<unknown>;

export type OrganizationFetchers = { fetchOrganization: FetchClerkOrganization; fetchMembership: FetchClerkMembership };

/** What just-in-time sync of an organization needs from the engine. */
export type OrganizationJitTarget = { store: () => Promise<Store>; log: Log };

/** 'synced': both written through their guards (applied or stale); otherwise what Clerk said, or that it did not answer. */
export type OrganizationSyncResult = 'synced' | 'not_member' | 'not_in_clerk' | 'clerk_unavailable';

function failed(target: OrganizationJitTarget, what: string, clerkOrgId: string, fetched: Fetched): OrganizationSyncResult {
  const status = fetched.kind === 'failed' ? fetched.status : null;
  logEvent(target.log, 'warn', `clerk_${what}_fetch_failed`, { clerkOrgId, status });
  return 'clerk_unavailable';
}

/**
 * Just-in-time sync of an organization and the user's membership of it:
 * both fetched side by side, then written through the same guarded writes
 * as webhooks (a racing webhook cannot leave an older version, nor revive a
 * deleted organization). Database errors propagate; Clerk failures are a
 * result.
 */
export async function syncOrganizationFromClerk(
  target: OrganizationJitTarget,
  { fetchOrganization, fetchMembership }: OrganizationFetchers,
  clerkOrgId: string,
  clerkUserId: string,
): Promise<OrganizationSyncResult> {
  const [organizationFetched, membershipFetched] = await Promise.all([
    fetchFromClerk(() => fetchOrganization(clerkOrgId)),
    fetchFromClerk(() => fetchMembership(clerkOrgId, clerkUserId)),
  ]);
  if (organizationFetched.kind === 'not_found') return 'not_in_clerk';
  if (organizationFetched.kind === 'failed') return failed(target, 'organization', clerkOrgId, organizationFetched);
  const organization = clerkOrganizationJsonSchema.safeParse(organizationFetched.raw);
  if (!organization.success || organization.data.id !== clerkOrgId) {
    logEvent(target.log, 'warn', 'clerk_organization_unreadable', { clerkOrgId });
    return 'clerk_unavailable';
  }
  const store = await target.store();
  await upsertOrganization(store, organization.data);

  if (membershipFetched.kind === 'not_found') return 'not_member';
  if (membershipFetched.kind === 'failed') return failed(target, 'membership', clerkOrgId, membershipFetched);
  const membership = clerkMembershipJsonSchema.safeParse(membershipFetched.raw);
  // Never another pair's: a wrong answer must not write a membership nobody asked about.
  if (!membership.success || membership.data.organization.id !== clerkOrgId || membership.data.public_user_data.user_id !== clerkUserId) {
    logEvent(target.log, 'warn', 'clerk_membership_unreadable', { clerkOrgId });
    return 'clerk_unavailable';
  }
  await applyMembership(store, membership.data);
  return 'synced';
}
