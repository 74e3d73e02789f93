/**
 * Users' lives at Clerk as webhook events: user.created, several user.updated
 * with strictly increasing updated_at, sometimes user.deleted. Full realistic
 * payloads from tools/clerk/payloads.ts; metadata keys that need encoding
 * (`$`, `.`) and users without email or name included on purpose.
 */
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
  userUpdatedEvent,
  type ClerkMembershipJsonFixture,
} from 'clerk-mongo-sync/testing';
import type { Rng } from './random';

export type UserEvent = ReturnType<typeof userCreatedEvent> | ReturnType<typeof userUpdatedEvent> | ReturnType<typeof userDeletedEvent>;

export type UserHistory = { userId: string; events: UserEvent[] };

export type HistoryOptions = {
  users: number;
  /** Events per history, user.created included: exact, or a [min, max] range. */
  events: number | readonly [number, number];
  /** Chance that a history's last event is user.deleted. */
  deleteChance: number;
  /** Base62 characters that start every generated user id, so runs sharing a database never collide. */
  idTag?: string;
};

const FIRST_NAMES = ['Ada', 'Grace', 'Alan', 'Katherine', 'Linus', 'Zoë', 'José', '$set', 'a.b', null] as const;
const LAST_NAMES = ['Lovelace', 'Hopper', 'Turing', 'Johnson', "O'Brien", 'Müller', null] as const;
const METADATA = [
  {},
  { role: 'admin' },
  { role: 'member', plan: { tier: 'pro', seats: 5 } },
  { $inc: { credits: 5 }, 'x.y': true },
  { role: 'member', tags: ['$a', 'b'], onboarding: { step: 3, done: false } },
];
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A Clerk-shaped user id (`user_2` + 26 base62), reproducible from the seed. */
function userIdFrom(rng: Rng, tag: string): string {
  let body = tag;
  while (body.length < 26) body += BASE62[rng.int(0, 61)];
  return `user_2${body}`;
}

function history(rng: Rng, userId: string, options: HistoryOptions): UserEvent[] {
  const [min, max] = typeof options.events === 'number' ? [options.events, options.events] : options.events;
  const total = rng.int(min, max);
  const deleted = total > 1 && rng.chance(options.deleteChance);
  const createdAt = Date.now() - 3_600_000 + rng.int(0, 600_000);
  let updatedAt = createdAt;
  const snapshot = () =>
    clerkUser({
      id: userId,
      createdAt,
      updatedAt,
      firstName: rng.pick(FIRST_NAMES),
      lastName: rng.pick(LAST_NAMES),
      username: rng.chance(0.5) ? `user${rng.int(1, 99_999)}` : null,
      email: rng.chance(0.9) ? `person${rng.int(1, 999_999)}@example.com` : null,
      extraEmails: rng.chance(0.2) ? [`alt${rng.int(1, 9_999)}@example.org`] : [],
      phone: rng.chance(0.4) ? `+1555${rng.int(1_000_000, 9_999_999)}` : null,
      publicMetadata: rng.pick(METADATA),
      lastSignInAt: rng.chance(0.6) ? updatedAt - rng.int(0, 60_000) : null,
    });

  const events: UserEvent[] = [userCreatedEvent(snapshot())];
  for (let i = 1; i < total - (deleted ? 1 : 0); i++) {
    updatedAt += rng.int(1, 5_000);
    events.push(userUpdatedEvent(snapshot()));
  }
  if (deleted) events.push(userDeletedEvent(userId, updatedAt + rng.int(1, 5_000)));
  return events;
}

export function generateHistories(rng: Rng, options: HistoryOptions): UserHistory[] {
  return Array.from({ length: options.users }, () => {
    const userId = userIdFrom(rng, options.idTag ?? '');
    return { userId, events: history(rng, userId, options) };
  });
}

/**
 * Organizations' lives at Clerk: organization.created, renames, members
 * joining (their memberships embedding the organization as it is then),
 * changing role, leaving and rejoining under a new membership id, members
 * deleted as users (sometimes followed by Clerk's membership delete), and
 * sometimes organization.deleted (sometimes followed by its members'
 * membership deletes). Every event of a history is later than the one
 * before, so the history's order is the in-order delivery.
 */
export type OrganizationEvent =
  | ReturnType<typeof organizationCreatedEvent>
  | ReturnType<typeof organizationUpdatedEvent>
  | ReturnType<typeof organizationDeletedEvent>
  | ReturnType<typeof membershipCreatedEvent>
  | ReturnType<typeof membershipUpdatedEvent>
  | ReturnType<typeof membershipDeletedEvent>
  | ReturnType<typeof userDeletedEvent>;

export type OrganizationHistory = { orgId: string; memberIds: string[]; events: OrganizationEvent[] };

export type OrganizationHistoryOptions = {
  organizations: number;
  /** Members per organization: [min, max]. */
  members: readonly [number, number];
  /** Chance that the organization is deleted at the end. */
  deleteChance: number;
  /** Base62 characters that start every generated id, so runs sharing a database never collide. */
  idTag?: string;
};

const ORGANIZATION_NAMES = ['Analytical Engines', 'Difference Ltd', 'Zuse & Söhne', '$set Corp', 'a.b GmbH', "O'Hare Labs"] as const;
const ROLES = ['org:admin', 'org:member', 'org:member', 'org:billing'] as const;

function clerkIdFrom(rng: Rng, prefix: string, tag: string): string {
  let body = tag;
  while (body.length < 26) body += BASE62[rng.int(0, 61)];
  return `${prefix}_2${body}`;
}

type Member = { id: string; membership: ClerkMembershipJsonFixture | null; left: boolean; deleted: boolean };

function organizationHistory(rng: Rng, orgId: string, memberIds: string[], options: OrganizationHistoryOptions): OrganizationEvent[] {
  let at = Date.now() - 3_600_000 + rng.int(0, 600_000);
  const tick = () => (at += rng.int(1, 3_000));
  const createdAt = at;
  const snapshot = (membersCount: number) =>
    organizationPayload({
      id: orgId,
      name: rng.pick(ORGANIZATION_NAMES),
      slug: rng.chance(0.8) ? `org-${rng.int(1, 99_999)}` : null,
      membersCount,
      maxAllowedMemberships: rng.pick([0, 5, 20]),
      adminDeleteEnabled: rng.chance(0.8),
      publicMetadata: rng.pick(METADATA),
      createdBy: memberIds[0] ?? null,
      createdAt,
      updatedAt: at,
    });
  let organization = snapshot(0);
  const events: OrganizationEvent[] = [organizationCreatedEvent(organization)];
  const members: Member[] = memberIds.map((id) => ({ id, membership: null, left: false, deleted: false }));
  const live = () => members.filter((member) => member.membership && !member.left && !member.deleted).length;
  const join = (member: Member) => {
    const role = member === members[0] ? 'org:admin' : rng.pick(ROLES);
    const membership = membershipPayload({
      id: clerkIdFrom(rng, 'orgmem', options.idTag ?? ''),
      organization,
      user: member.id,
      role,
      publicMetadata: rng.pick(METADATA),
      createdAt: at,
      updatedAt: at,
    });
    member.membership = membership;
    member.left = false;
    events.push(membershipCreatedEvent(membership));
  };

  for (let steps = rng.int(memberIds.length, memberIds.length * 3); steps > 0; steps--) {
    tick();
    if (rng.chance(0.15)) {
      organization = snapshot(live());
      events.push(organizationUpdatedEvent(organization));
      continue;
    }
    const member = rng.pick(members);
    if (member.deleted) continue;
    if (!member.membership) join(member);
    else if (member.left) {
      if (rng.chance(0.5)) join(member); // a rejoin: a new membership id, newer timestamps
    } else if (rng.chance(0.5)) {
      const role = rng.pick(ROLES);
      member.membership = membershipPayload({
        id: member.membership.id,
        organization,
        user: member.id,
        role,
        publicMetadata: rng.pick(METADATA),
        createdAt: member.membership.created_at,
        updatedAt: at,
      });
      events.push(membershipUpdatedEvent(member.membership));
    } else if (rng.chance(0.6)) {
      member.left = true;
      events.push(membershipDeletedEvent({ ...member.membership, organization }, at));
    } else {
      member.deleted = true;
      events.push(userDeletedEvent(member.id, at));
      // Clerk may follow a user's deletion with their memberships' deletes.
      if (rng.chance(0.5)) events.push(membershipDeletedEvent({ ...member.membership, organization }, tick()));
    }
  }
  if (rng.chance(options.deleteChance)) {
    events.push(organizationDeletedEvent(orgId, tick()));
    for (const member of members)
      if (member.membership && !member.left && !member.deleted && rng.chance(0.5))
        events.push(membershipDeletedEvent({ ...member.membership, organization }, tick()));
  }
  return events;
}

export function generateOrganizationHistories(rng: Rng, options: OrganizationHistoryOptions): OrganizationHistory[] {
  return Array.from({ length: options.organizations }, () => {
    const orgId = clerkIdFrom(rng, 'org', options.idTag ?? '');
    const memberIds = Array.from({ length: rng.int(...options.members) }, () => clerkIdFrom(rng, 'user', options.idTag ?? ''));
    return { orgId, memberIds, events: organizationHistory(rng, orgId, memberIds, options) };
  });
}
