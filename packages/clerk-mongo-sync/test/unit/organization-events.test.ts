import { describe, expect, it } from 'vitest';
import { membershipFieldsOf, organizationFieldsOf } from '../../src/organizations/clerk-organization.js';
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
} from '../../src/testing/payloads.js';
import { clerkOrgIdOf, clerkUserIdOf, parseClerkEvent } from '../../src/webhooks/events.js';

function parsedEvent(payload: unknown) {
  const parsed = parseClerkEvent(payload);
  if (parsed.kind !== 'event') throw new Error(`expected an event, got ${JSON.stringify(parsed)}`);
  return parsed.event;
}

describe('organization and membership events', () => {
  it('parses organization.created, .updated and .deleted and names the organization, no user', () => {
    const organization = organizationPayload();
    for (const payload of [
      organizationCreatedEvent(organization),
      organizationUpdatedEvent(organization),
      organizationDeletedEvent(organization.id),
    ]) {
      const event = parsedEvent(payload);
      expect(event.type).toBe(payload.type);
      expect(clerkOrgIdOf(event)).toBe(organization.id);
      expect(clerkUserIdOf(event)).toBeNull();
    }
  });

  it('parses every membership event, the deleted one with the whole membership, and names both sides', () => {
    const user = clerkUser();
    const membership = membershipPayload({ user, role: 'org:admin' });
    for (const payload of [membershipCreatedEvent(membership), membershipUpdatedEvent(membership), membershipDeletedEvent(membership)]) {
      const event = parsedEvent(payload);
      expect(event.type).toBe(payload.type);
      expect(clerkOrgIdOf(event)).toBe(membership.organization.id);
      expect(clerkUserIdOf(event)).toBe(user.id);
    }
  });

  it('reads what Clerk leaves out or nulls as empty: slug, members_count, role_name, created_by, metadata', () => {
    const organization = { ...organizationPayload(), slug: null, members_count: undefined, created_by: undefined, public_metadata: null };
    const parsed = parsedEvent(organizationUpdatedEvent(organization as never));
    if (parsed.type !== 'organization.updated') throw new Error(parsed.type);
    expect(organizationFieldsOf(parsed.data)).toMatchObject({ slug: null, membersCount: null, createdBy: null, publicMetadata: {} });
    const membership = { ...membershipPayload(), role_name: undefined, permissions: null };
    const event = parsedEvent(membershipUpdatedEvent(membership as never));
    if (event.type !== 'organizationMembership.updated') throw new Error(event.type);
    expect(membershipFieldsOf(event.data)).toMatchObject({ roleName: null, permissions: [] });
  });

  it('maps an organization to its documented fields, metadata keys encoded', () => {
    const organization = organizationPayload({
      name: 'Difference Engines',
      slug: 'difference-engines',
      imageUrl: 'https://img.clerk.com/org-logo',
      membersCount: 3,
      maxAllowedMemberships: 10,
      adminDeleteEnabled: false,
      publicMetadata: { plan: 'pro', 'a.b': { $c: 1 } },
      createdBy: 'user_2creator',
      createdAt: 1_700_000_000_000,
      updatedAt: 1_700_000_005_000,
    });
    expect(organizationFieldsOf(organization)).toEqual({
      clerkOrgId: organization.id,
      name: 'Difference Engines',
      slug: 'difference-engines',
      imageUrl: 'https://img.clerk.com/org-logo',
      hasImage: true,
      membersCount: 3,
      maxAllowedMemberships: 10,
      adminDeleteEnabled: false,
      publicMetadata: { plan: 'pro', 'a%2Eb': { '%24c': 1 } },
      createdBy: 'user_2creator',
      clerkCreatedAt: new Date(1_700_000_000_000),
      clerkUpdatedAt: new Date(1_700_000_005_000),
    });
  });

  it('maps a membership to its documented fields and copies no personal data of the member', () => {
    const user = clerkUser({ firstName: 'Private', lastName: 'Person', email: 'private.person@example.com' });
    const membership = membershipPayload({ user, role: 'org:admin', publicMetadata: { team: 'red' }, createdAt: 1_000, updatedAt: 2_000 });
    const fields = membershipFieldsOf(membership as never);
    expect(fields).toEqual({
      clerkOrgId: membership.organization.id,
      clerkUserId: user.id,
      clerkMembershipId: membership.id,
      role: 'org:admin',
      roleName: 'Admin',
      permissions: membership.permissions,
      publicMetadata: { team: 'red' },
      clerkCreatedAt: new Date(1_000),
      clerkUpdatedAt: new Date(2_000),
    });
    expect(JSON.stringify(fields)).not.toMatch(/Private|Person|private\.person/);
  });

  const invalid: Array<[string, () => unknown, RegExp]> = [
    ['an organization id that is not one', () => organizationDeletedEvent('user_2notAnOrg'), /^data\.id: not a Clerk organization id$/],
    [
      'an organization without updated_at',
      () => {
        const event = organizationUpdatedEvent(organizationPayload());
        delete (event.data as Partial<typeof event.data>).updated_at;
        return event;
      },
      /^data\.updated_at: /,
    ],
    [
      'a membership without its organization',
      () => ({ ...membershipCreatedEvent(membershipPayload()), data: { ...membershipPayload(), organization: undefined } }),
      /^data\.organization: /,
    ],
    [
      'a membership whose member is not a Clerk user',
      () => {
        const membership = membershipPayload();
        return membershipUpdatedEvent({ ...membership, public_user_data: { ...membership.public_user_data, user_id: '../v1/users' } });
      },
      /^data\.public_user_data\.user_id: not a Clerk user id$/,
    ],
    ['a membership without a role', () => membershipCreatedEvent({ ...membershipPayload(), role: '' }), /^data\.role: /],
  ];

  for (const [name, payload, reason] of invalid) {
    it(`reports a schema violation with a short reason: ${name}`, () => {
      const parsed = parseClerkEvent(payload());
      expect(parsed).toMatchObject({ kind: 'invalid', reason: expect.stringMatching(reason) });
    });
  }
});
