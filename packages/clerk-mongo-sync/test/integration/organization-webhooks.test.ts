/**
 * Organizations and memberships through the webhook pipeline: recorded per
 * svix-id, order-guarded, tombstones final, the memberships of a deleted
 * organization or user ended, a membership arriving before its organization
 * or user, and a user who leaves and rejoins.
 */
import { describe, expect, it } from 'vitest';
import {
  clerkUser,
  membershipCreatedEvent,
  membershipDeletedEvent,
  membershipPayload,
  membershipUpdatedEvent,
  organizationCreatedEvent,
  organizationDeletedEvent,
  organizationPayload,
  organizationUpdatedEvent,
  userCreatedEvent,
  userDeletedEvent,
  type ClerkMembershipJsonFixture,
  type ClerkOrganizationJsonFixture,
} from '../../src/testing/payloads.js';
import { signWebhook } from '../../src/testing/svix.js';
import { clerkSync, engine } from '../support/engine.js';
import { ledgerEntry, storedMembership, storedOrganization, storedUser } from '../support/sync-state.js';
import { deliver, postToRoute } from '../support/webhook.js';

async function outcomeOf(payload: unknown) {
  const answer = await deliver(payload);
  expect(answer.status).toBe(200);
  return answer.body.outcome;
}

function editedLater(organization: ClerkOrganizationJsonFixture, ms: number, changes: Partial<ClerkOrganizationJsonFixture> = {}) {
  return { ...organization, ...changes, updated_at: organization.updated_at + ms };
}

function membershipLater(membership: ClerkMembershipJsonFixture, ms: number, changes: Partial<ClerkMembershipJsonFixture> = {}) {
  return { ...membership, ...changes, updated_at: membership.updated_at + ms };
}

/** The fields that must not depend on the order of arrival (not `_id`, `createdAt`, `updatedAt`). */
function orderFree(document: Record<string, unknown> | null | undefined) {
  if (!document) return null;
  const { _id: _ignored, createdAt: _created, updatedAt: _updated, ...rest } = document;
  return rest;
}

describe('organizations', () => {
  it('stores an organization with the documented fields, and a replay is a duplicate', async () => {
    const organization = organizationPayload({ name: 'Analytical Engines', slug: 'analytical-engines', publicMetadata: { plan: 'pro' } });
    const delivery = signWebhook(process.env.CLERK_WEBHOOK_SECRET!, organizationCreatedEvent(organization));
    expect((await postToRoute(delivery)).body.outcome).toBe('applied');
    expect(await clerkSync.organizations.find(organization.id)).toMatchObject({
      clerkOrgId: organization.id,
      name: 'Analytical Engines',
      slug: 'analytical-engines',
      imageUrl: organization.image_url,
      hasImage: false,
      membersCount: 1,
      maxAllowedMemberships: 5,
      adminDeleteEnabled: true,
      publicMetadata: { plan: 'pro' },
      createdBy: organization.created_by,
      clerkCreatedAt: new Date(organization.created_at),
      clerkUpdatedAt: new Date(organization.updated_at),
      version: organization.updated_at,
      deletedAt: null,
    });
    const before = await storedOrganization(organization.id);
    expect((await postToRoute(delivery)).body.outcome).toBe('duplicate');
    expect(await storedOrganization(organization.id)).toEqual(before);
    expect(await ledgerEntry(delivery.svixId)).toMatchObject({
      type: 'organization.created',
      clerkId: null,
      clerkOrgId: organization.id,
      outcome: 'applied',
      attempts: 2,
    });
  });

  it('an older update after a newer one is stale; update-before-create leaves the newer', async () => {
    const organization = organizationPayload({ name: 'First' });
    const newer = editedLater(organization, 2_000, { name: 'Newer' });
    expect(await outcomeOf(organizationUpdatedEvent(newer))).toBe('applied');
    expect(await outcomeOf(organizationCreatedEvent(organization))).toBe('stale');
    expect(await outcomeOf(organizationUpdatedEvent(editedLater(organization, 1_000, { name: 'Older' })))).toBe('stale');
    expect(await clerkSync.organizations.find(organization.id)).toMatchObject({ name: 'Newer', version: newer.updated_at });
  });

  it('a deleted organization is a PII-free tombstone that no late event revives', async () => {
    const organization = organizationPayload({ name: 'Secret Project', slug: 'secret-project', publicMetadata: { codename: 'nightjar' } });
    await deliver(organizationCreatedEvent(organization));
    const deletedAt = organization.updated_at + 5_000;
    expect(await outcomeOf(organizationDeletedEvent(organization.id, deletedAt))).toBe('applied');
    expect(await outcomeOf(organizationUpdatedEvent(editedLater(organization, 60_000, { name: 'Zombie' })))).toBe('stale');
    expect(await outcomeOf(organizationDeletedEvent(organization.id, deletedAt + 1))).toBe('stale');
    // A membership carrying a newer copy of the organization does not revive it either.
    await deliver(membershipCreatedEvent(membershipPayload({ organization: editedLater(organization, 90_000, { name: 'Zombie' }) })));

    const stored = await storedOrganization(organization.id);
    expect(stored).toMatchObject({
      clerkOrgId: organization.id,
      deletedAt: new Date(deletedAt),
      version: deletedAt,
      name: null,
      slug: null,
      imageUrl: null,
      hasImage: false,
      membersCount: null,
      maxAllowedMemberships: null,
      adminDeleteEnabled: null,
      publicMetadata: {},
      createdBy: null,
      clerkCreatedAt: null,
      clerkUpdatedAt: null,
    });
    expect(JSON.stringify(stored)).not.toMatch(/Secret|secret-project|nightjar|Zombie/);
  });
});

describe('memberships', () => {
  it('links both sides by both ids, creating the organization from its embedded copy and the user as a version-0 stub', async () => {
    const user = clerkUser({ firstName: 'Wilhelmina', lastName: 'Privatperson', email: 'wilhelmina@example.com' });
    const membership = membershipPayload({ user, role: 'org:admin', publicMetadata: { team: 'red' } });
    expect(await outcomeOf(membershipCreatedEvent(membership))).toBe('applied');

    const organization = await storedOrganization(membership.organization.id);
    const stub = await storedUser(user.id);
    expect(organization).toMatchObject({ name: membership.organization.name, version: membership.organization.updated_at });
    expect(stub).toMatchObject({ version: 0, firstName: null, email: null, deletedAt: null });
    const stored = await clerkSync.memberships.find(membership.organization.id, user.id);
    expect(stored).toMatchObject({
      clerkOrgId: membership.organization.id,
      organizationId: organization!._id,
      clerkUserId: user.id,
      userId: stub!._id,
      clerkMembershipId: membership.id,
      role: 'org:admin',
      roleName: 'Admin',
      permissions: membership.permissions,
      publicMetadata: { team: 'red' },
      clerkCreatedAt: new Date(membership.created_at),
      clerkUpdatedAt: new Date(membership.updated_at),
      version: membership.updated_at,
      deletedAt: null,
    });
    expect(JSON.stringify(await storedMembership(membership.organization.id, user.id))).not.toMatch(/Wilhelmina|Privatperson|wilhelmina@/);

    // The user's own event fills the stub in; the membership's link stays the same document.
    expect(await outcomeOf(userCreatedEvent(user))).toBe('applied');
    expect(await storedUser(user.id)).toMatchObject({ _id: stub!._id, firstName: 'Wilhelmina', version: user.updated_at });
    expect(await clerkSync.memberships.ofOrganization(membership.organization.id)).toHaveLength(1);
    expect((await clerkSync.memberships.ofUser(user.id)).map((found) => found.clerkOrgId)).toEqual([membership.organization.id]);
  });

  it('orders role changes by updated_at; the ledger names the user and the organization', async () => {
    const membership = membershipPayload({ role: 'org:member' });
    await deliver(membershipCreatedEvent(membership));
    const promoted = membershipLater(membership, 2_000, { role: 'org:admin', role_name: 'Admin' });
    const delivery = signWebhook(process.env.CLERK_WEBHOOK_SECRET!, membershipUpdatedEvent(promoted));
    expect((await postToRoute(delivery)).body.outcome).toBe('applied');
    expect(await outcomeOf(membershipUpdatedEvent(membershipLater(membership, 1_000, { role: 'org:billing' })))).toBe('stale');
    expect(await clerkSync.memberships.find(membership.organization.id, membership.public_user_data.user_id)).toMatchObject({
      role: 'org:admin',
      version: promoted.updated_at,
    });
    expect(await ledgerEntry(delivery.svixId)).toMatchObject({
      clerkId: membership.public_user_data.user_id,
      clerkOrgId: membership.organization.id,
    });
  });

  it('an organization.created older than a membership’s embedded copy is stale', async () => {
    const organization = organizationPayload({ name: 'Before' });
    const membership = membershipPayload({ organization: editedLater(organization, 1_000, { name: 'Renamed' }) });
    await deliver(membershipCreatedEvent(membership));
    expect(await outcomeOf(organizationCreatedEvent(organization))).toBe('stale');
    expect(await clerkSync.organizations.find(organization.id)).toMatchObject({ name: 'Renamed' });
  });

  it('a deleted membership ends (metadata cleared), and a rejoin with a new membership id is live again', async () => {
    const user = clerkUser();
    const first = membershipPayload({ user, publicMetadata: { seat: 7 } });
    await deliver(membershipCreatedEvent(first));
    const leftAt = first.updated_at + 1_000;
    expect(await outcomeOf(membershipDeletedEvent(first, leftAt))).toBe('applied');
    expect(await storedMembership(first.organization.id, user.id)).toMatchObject({
      clerkMembershipId: first.id,
      deletedAt: new Date(leftAt),
      version: leftAt,
      publicMetadata: {},
    });
    expect(await clerkSync.memberships.ofOrganization(first.organization.id)).toEqual([]);
    // A late update of the old membership does not bring it back.
    expect(await outcomeOf(membershipUpdatedEvent(membershipLater(first, 500)))).toBe('stale');

    const rejoined = membershipPayload({ user, organization: first.organization, createdAt: leftAt + 1_000, role: 'org:admin' });
    expect(await outcomeOf(membershipCreatedEvent(rejoined))).toBe('applied');
    expect(await clerkSync.memberships.find(first.organization.id, user.id)).toMatchObject({
      clerkMembershipId: rejoined.id,
      role: 'org:admin',
      deletedAt: null,
      version: rejoined.updated_at,
    });
  });

  it('a delete before its create ends the membership; the late create is stale', async () => {
    const membership = membershipPayload();
    const leftAt = membership.updated_at + 1_000;
    expect(await outcomeOf(membershipDeletedEvent(membership, leftAt))).toBe('applied');
    expect(await outcomeOf(membershipCreatedEvent(membership))).toBe('stale');
    expect(await storedMembership(membership.organization.id, membership.public_user_data.user_id)).toMatchObject({
      deletedAt: new Date(leftAt),
    });
  });
});

describe('deleting a side ends its memberships', () => {
  it('a deleted organization’s memberships end with it, and the delete’s redelivery finishes a cascade', async () => {
    const organization = organizationPayload();
    const members = [membershipPayload({ organization, publicMetadata: { seat: 1 } }), membershipPayload({ organization })];
    for (const membership of members) await deliver(membershipCreatedEvent(membership));
    const deletedAt = organization.updated_at + 60_000;
    expect(await outcomeOf(organizationDeletedEvent(organization.id, deletedAt))).toBe('applied');
    for (const membership of members) {
      expect(await storedMembership(organization.id, membership.public_user_data.user_id)).toMatchObject({
        deletedAt: new Date(deletedAt),
        version: membership.updated_at,
        role: membership.role,
        publicMetadata: {},
      });
    }
    expect(await clerkSync.memberships.ofOrganization(organization.id)).toEqual([]);
    expect(await clerkSync.memberships.ofUser(members[0]!.public_user_data.user_id)).toEqual([]);
  });

  it('a membership written after its organization’s tombstone ends itself, as if it had come first', async () => {
    const inOrder = organizationPayload();
    const lateOrder = organizationPayload();
    const deletedAt = Math.max(inOrder.updated_at, lateOrder.updated_at) + 60_000;
    const memberships = [inOrder, lateOrder].map((organization) => membershipPayload({ organization, publicMetadata: { seat: 2 } }));

    await deliver(membershipCreatedEvent(memberships[0]!));
    await deliver(organizationDeletedEvent(inOrder.id, deletedAt));
    await deliver(organizationDeletedEvent(lateOrder.id, deletedAt));
    expect(await outcomeOf(membershipCreatedEvent(memberships[1]!))).toBe('applied');

    const [first, second] = await Promise.all(
      memberships.map((membership) => storedMembership(membership.organization.id, membership.public_user_data.user_id)),
    );
    // The same end whichever came first: ended at the deletion, metadata cleared, the membership's own fields kept.
    for (const [stored, membership] of [
      [first, memberships[0]!],
      [second, memberships[1]!],
    ] as const) {
      expect(orderFree(stored)).toEqual({
        clerkOrgId: membership.organization.id,
        organizationId: expect.anything(),
        clerkUserId: membership.public_user_data.user_id,
        userId: expect.anything(),
        clerkMembershipId: membership.id,
        role: membership.role,
        roleName: membership.role_name,
        permissions: membership.permissions,
        publicMetadata: {},
        clerkCreatedAt: new Date(membership.created_at),
        clerkUpdatedAt: new Date(membership.updated_at),
        version: membership.updated_at,
        deletedAt: new Date(deletedAt),
      });
    }
  });

  it('a deleted user’s memberships end at the deletion; a membership that ended earlier keeps its own end', async () => {
    const user = clerkUser();
    await deliver(userCreatedEvent(user));
    const stays = membershipPayload({ user });
    const left = membershipPayload({ user });
    await deliver(membershipCreatedEvent(stays));
    await deliver(membershipCreatedEvent(left));
    const leftAt = left.updated_at + 1_000;
    await deliver(membershipDeletedEvent(left, leftAt));
    const deletedAt = leftAt + 60_000;
    expect(await outcomeOf(userDeletedEvent(user.id, deletedAt))).toBe('applied');
    expect(await storedMembership(stays.organization.id, user.id)).toMatchObject({ deletedAt: new Date(deletedAt) });
    expect(await storedMembership(left.organization.id, user.id)).toMatchObject({ deletedAt: new Date(leftAt) });
    expect(await clerkSync.memberships.ofUser(user.id)).toEqual([]);
    // A membership of the deleted user that arrives late ends again and does not revive the user.
    const late = membershipPayload({ user, createdAt: deletedAt + 1_000 });
    expect(await outcomeOf(membershipCreatedEvent(late))).toBe('applied');
    expect(await storedMembership(late.organization.id, user.id)).toMatchObject({ deletedAt: new Date(deletedAt) });
    expect(await storedUser(user.id)).toMatchObject({ deletedAt: new Date(deletedAt), firstName: null });
  });

  it('a membership racing its organization’s delete always ends', async () => {
    for (let round = 0; round < 5; round++) {
      const organization = organizationPayload();
      const membership = membershipPayload({ organization });
      const deletedAt = membership.updated_at + 1_000;
      const answers = await Promise.all([
        deliver(membershipCreatedEvent(membership)),
        deliver(organizationDeletedEvent(organization.id, deletedAt)),
      ]);
      expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
      expect(await storedMembership(organization.id, membership.public_user_data.user_id)).toMatchObject({
        deletedAt: new Date(deletedAt),
      });
      expect(await storedOrganization(organization.id)).toMatchObject({ deletedAt: new Date(deletedAt) });
    }
  });

  it('20 parallel first deliveries of one organization’s memberships leave one organization, one document per member', async () => {
    const organization = organizationPayload();
    const memberships = Array.from({ length: 20 }, (_, index) =>
      membershipPayload({ organization: editedLater(organization, index * 10, { name: `v${index}` }) }),
    );
    memberships.reverse();
    const answers = await Promise.all(memberships.map((membership) => deliver(membershipCreatedEvent(membership))));
    expect(answers.map((answer) => answer.status)).toEqual(Array(20).fill(200));
    expect(await storedOrganization(organization.id)).toMatchObject({ name: 'v19' });
    expect(await clerkSync.memberships.ofOrganization(organization.id)).toHaveLength(20);
  });
});

describe('onOrganizationDeleted', () => {
  it('runs after the tombstone and the end of its memberships, with the tombstone', async () => {
    const seen: unknown[] = [];
    const sync = engine({
      onOrganizationDeleted: async ({ clerkOrgId, organization, database }) => {
        const active = await database.collection('memberships').countDocuments({ clerkOrgId, deletedAt: null });
        seen.push({ clerkOrgId, deletedAt: organization?.deletedAt, active });
      },
    });
    const membership = membershipPayload();
    await deliver(membershipCreatedEvent(membership), {}, sync);
    const deletedAt = membership.updated_at + 1_000;
    expect((await deliver(organizationDeletedEvent(membership.organization.id, deletedAt), {}, sync)).body.outcome).toBe('applied');
    expect(seen).toEqual([{ clerkOrgId: membership.organization.id, deletedAt: new Date(deletedAt), active: 0 }]);
  });
});
