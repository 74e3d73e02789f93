/**
 * Just-in-time sync of the active organization (`loadOrganization`, what
 * `syncedOrganization` of the Next entry runs): the organization and the
 * viewer's membership fetched from Clerk's Backend API (the local double,
 * through the engine's own client or Clerk's SDK) and written through the
 * webhooks' guards; each state a page can meet.
 */
import { MongoNetworkError } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClerkSync } from '../../src/engine/create.js';
import type { FetchClerkMembership, FetchClerkOrganization } from '../../src/organizations/jit.js';
import {
  clerkUser,
  membershipCreatedEvent,
  membershipDeletedEvent,
  membershipPayload,
  organizationDeletedEvent,
  organizationPayload,
} from '../../src/testing/payloads.js';
import { startClerkApiDoubleForApp, type ClerkApiDouble } from '../../../../tools/clerk/api-double';
import { clerkSync, engine } from '../support/engine.js';
import { storedMembership, storedUser } from '../support/sync-state.js';
import { deliver } from '../support/webhook.js';

let clerk: ClerkApiDouble;
let viaSdk: { fetchOrganization: FetchClerkOrganization; fetchMembership: FetchClerkMembership };

beforeAll(async () => {
  // Before the Next entry loads: Clerk's SDK reads where Clerk is when it loads.
  clerk = await startClerkApiDoubleForApp('sk_test_orgJitDouble0000000000000000000');
  const next = await import('../../src/next.js');
  viaSdk = { fetchOrganization: next.fetchOrganizationWithClerkClient, fetchMembership: next.fetchMembershipWithClerkClient };
});

afterAll(() => clerk.close());

/** An organization and one member, known to Clerk only. */
function atClerk(role = 'org:admin') {
  const organization = organizationPayload({ name: 'Jit Org' });
  const user = clerkUser();
  const membership = membershipPayload({ organization, user, role });
  clerk.organizations.putMembership(membership);
  return { organization, user, membership };
}

describe('loadOrganization', () => {
  it.each(['the engine’s own client', 'Clerk’s SDK (@clerk/nextjs)'])(
    'syncs the organization and the membership from Clerk when no webhook has, through %s',
    async (through) => {
      const { organization, user, membership } = atClerk();
      const options = through.startsWith('Clerk') ? viaSdk : {};
      const current = await clerkSync.loadOrganization(organization.id, user.id, options);
      expect(current).toMatchObject({
        state: 'ready',
        organization: { clerkOrgId: organization.id, name: 'Jit Org', version: organization.updated_at },
        membership: { clerkMembershipId: membership.id, role: 'org:admin', clerkUserId: user.id, deletedAt: null },
      });
      expect(await storedUser(user.id)).toMatchObject({ version: 0 });
    },
  );

  it('answers from the database without asking Clerk once the webhooks have delivered', async () => {
    const membership = membershipPayload();
    await deliver(membershipCreatedEvent(membership));
    const asked = clerk.requests.length;
    const current = await clerkSync.loadOrganization(membership.organization.id, membership.public_user_data.user_id);
    expect(current.state).toBe('ready');
    expect(clerk.requests.length).toBe(asked);
  });

  it('not_member when Clerk has no membership of the user there, or no such organization', async () => {
    const { organization } = atClerk();
    expect(await clerkSync.loadOrganization(organization.id, clerkUser().id)).toEqual({ state: 'not_member' });
    expect(await clerkSync.loadOrganization(organizationPayload().id, clerkUser().id, viaSdk)).toEqual({ state: 'not_member' });
    expect(await clerkSync.loadOrganization('../v1/users', clerkUser().id)).toEqual({ state: 'not_member' });
  });

  it('a membership that ended here is synced again from Clerk (a rejoin), else not_member', async () => {
    const { organization, user, membership } = atClerk();
    await deliver(membershipCreatedEvent(membership));
    await deliver(membershipDeletedEvent(membership, membership.updated_at + 1_000));
    clerk.organizations.removeMembership(organization.id, user.id);
    expect(await clerkSync.loadOrganization(organization.id, user.id)).toEqual({ state: 'not_member' });

    const rejoined = membershipPayload({ organization, user, createdAt: membership.updated_at + 2_000 });
    clerk.organizations.putMembership(rejoined);
    expect(await clerkSync.loadOrganization(organization.id, user.id)).toMatchObject({
      state: 'ready',
      membership: { clerkMembershipId: rejoined.id },
    });
  });

  it('deleted for a tombstone, whatever Clerk says', async () => {
    const { organization, user } = atClerk();
    await deliver(organizationDeletedEvent(organization.id, organization.updated_at + 1_000));
    expect(await clerkSync.loadOrganization(organization.id, user.id)).toEqual({ state: 'deleted' });
    expect(await storedMembership(organization.id, user.id)).toBeNull();
  });

  it('pending when nothing is synced and Clerk does not answer usably', async () => {
    const { organization, user } = atClerk();
    clerk.failNext('organization', { kind: 'server_error', status: 503 });
    expect(await clerkSync.loadOrganization(organization.id, user.id)).toEqual({ state: 'pending' });
    const unreadable = engine({ clerk: { fetchOrganization: async () => ({ id: organization.id }), fetchMembership: async () => ({}) } });
    expect(await unreadable.loadOrganization(organization.id, user.id)).toEqual({ state: 'pending' });
  });

  it('unavailable when the database is away', async () => {
    const away = createClerkSync({
      database: () => Promise.reject(new MongoNetworkError('connect ECONNREFUSED 127.0.0.1:27017')),
    });
    expect(await away.loadOrganization(organizationPayload().id, clerkUser().id)).toEqual({ state: 'unavailable' });
  });
});
