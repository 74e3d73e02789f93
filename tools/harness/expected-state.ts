/**
 * The state in-order delivery gives, and the check of a database against it.
 * The expected document is stated from the documented behaviour (the
 * package README, "The users collection"), not computed with the engine's own mapping, so a bug in
 * that mapping cannot hide by being copied into the oracle. Reads the users
 * collection with the plain driver: the harness runs outside the app.
 */
import { isDeepStrictEqual } from 'node:util';
import { DEFAULT_COLLECTIONS } from 'clerk-mongo-sync';
import type { ClerkMembershipJsonFixture, ClerkOrganizationJsonFixture, ClerkUserJsonFixture } from 'clerk-mongo-sync/testing';
import type { Db } from 'mongodb';
import type { OrganizationHistory, UserHistory } from './histories';

/** Metadata keys as documented: `%`, `$`, `.` and NUL percent-encoded; values untouched. */
function withStoredKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withStoredKeys);
  if (value === null || typeof value !== 'object') return value;
  const encode = (key: string) => key.replaceAll('%', '%25').replaceAll('$', '%24').replaceAll('.', '%2E').replaceAll('\0', '%00');
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [encode(key), withStoredKeys(item)]));
}

/** The documented document of a live user whose last event carried `user`. */
function documentedUser(user: ClerkUserJsonFixture) {
  return {
    clerkId: user.id,
    version: user.updated_at,
    deletedAt: null as Date | null,
    email: user.email_addresses.find(({ id }) => id === user.primary_email_address_id)?.email_address ?? null,
    emails: user.email_addresses.map(({ email_address }) => email_address),
    username: user.username,
    firstName: user.first_name,
    lastName: user.last_name,
    imageUrl: user.image_url as string | null,
    phone: user.phone_numbers.find(({ id }) => id === user.primary_phone_number_id)?.phone_number ?? null,
    publicMetadata: withStoredKeys(user.public_metadata),
    clerkCreatedAt: new Date(user.created_at) as Date | null,
    clerkUpdatedAt: new Date(user.updated_at) as Date | null,
    lastSignInAt: user.last_sign_in_at === null ? null : new Date(user.last_sign_in_at),
  };
}

type Compared = ReturnType<typeof documentedUser>;

/** A deleted user's document: identity, deletion time and version kept, everything else empty. */
export function tombstone(clerkId: string, deletedAt: number) {
  return {
    clerkId,
    deletedAt: new Date(deletedAt),
    version: deletedAt,
    email: null,
    emails: [],
    username: null,
    firstName: null,
    lastName: null,
    imageUrl: null,
    phone: null,
    publicMetadata: {},
    clerkCreatedAt: null,
    clerkUpdatedAt: null,
    lastSignInAt: null,
    isOnline: false,
    lastSeen: null,
    onlineUntil: null,
  };
}

/** What the user's document holds once its whole history arrived in order: its last event decides. */
export function expectedDocument({ userId, events }: UserHistory): Compared {
  const last = events.at(-1);
  if (!last) throw new Error(`empty history for ${userId}`);
  if (last.type !== 'user.deleted') return documentedUser(last.data);
  const { isOnline: _presence, lastSeen: _lastSeen, onlineUntil: _onlineUntil, ...deleted } = tombstone(userId, last.timestamp);
  return deleted;
}

/** The fields in-order delivery determines; the rest (`_id`, createdAt, updatedAt, presence) legitimately differ. */
type ComparedField = keyof Compared;

function pick(document: Record<string, unknown>, fields: readonly ComparedField[]): Record<string, unknown> {
  return Object.fromEntries(fields.map((field) => [field, document[field]]));
}

export type Mismatch = {
  userId: string;
  kind: 'lost' | 'duplicated' | 'resurrected' | 'stale' | 'diverged';
  detail: string;
};

export type StateCheck = { users: number; matched: number; mismatches: Mismatch[]; counts: Record<Mismatch['kind'], number> };

function classify(userId: string, expected: Compared, stored: Record<string, unknown>[]): Mismatch | null {
  if (stored.length === 0) return { userId, kind: 'lost', detail: 'no document' };
  if (stored.length > 1) return { userId, kind: 'duplicated', detail: `${stored.length} documents` };
  const fields = Object.keys(expected) as ComparedField[];
  const actual = pick(stored[0]!, fields);
  if (expected.deletedAt !== null && actual.deletedAt == null) {
    return { userId, kind: 'resurrected', detail: `live at version ${String(actual.version)}, deleted at ${expected.version}` };
  }
  if (Number(actual.version ?? 0) < expected.version) {
    return { userId, kind: 'stale', detail: `version ${String(actual.version)}, expected ${expected.version}` };
  }
  const differing = fields.filter((field) => !isDeepStrictEqual(actual[field], expected[field]));
  if (differing.length === 0) return null;
  const field = differing[0]!;
  return {
    userId,
    kind: 'diverged',
    detail: `${differing.join(', ')} (e.g. ${field}: ${JSON.stringify(actual[field])} ≠ ${JSON.stringify(expected[field])})`,
  };
}

const BATCH = 1_000;

/** Compares every history's user document with the in-order state. */
export async function checkAgainstInOrder(database: Db, histories: UserHistory[]): Promise<StateCheck> {
  const users = database.collection(DEFAULT_COLLECTIONS.users);
  const mismatches: Mismatch[] = [];
  for (let start = 0; start < histories.length; start += BATCH) {
    const batch = histories.slice(start, start + BATCH);
    const found = await users.find({ clerkId: { $in: batch.map(({ userId }) => userId) } }).toArray();
    const byId = new Map<string, Record<string, unknown>[]>();
    for (const user of found) byId.set(String(user.clerkId), [...(byId.get(String(user.clerkId)) ?? []), user]);
    for (const history of batch) {
      const mismatch = classify(history.userId, expectedDocument(history), byId.get(history.userId) ?? []);
      if (mismatch) mismatches.push(mismatch);
    }
  }
  const counts = { lost: 0, duplicated: 0, resurrected: 0, stale: 0, diverged: 0 };
  for (const { kind } of mismatches) counts[kind]++;
  return { users: histories.length, matched: histories.length - mismatches.length, mismatches, counts };
}

export function describeCheck(check: StateCheck): string {
  const { lost, duplicated, resurrected, stale, diverged } = check.counts;
  return `${check.matched}/${check.users} users as in-order delivery leaves them; lost ${lost}, duplicated ${duplicated}, resurrected ${resurrected}, stale ${stale}, diverged ${diverged}`;
}

/**
 * Organizations, as the package README documents them ("The organizations
 * collection", "The memberships collection"): the organization holds its
 * newest Clerk JSON, whether from its own events or embedded in a
 * membership's, until its deletion leaves a tombstone; each member's
 * membership holds its newest event (a delete ends it at the delete's time,
 * metadata cleared); the deletion of the organization or of the user ends it
 * too, `deletedAt` being the earliest of its ends.
 */
type OrganizationJson = ClerkOrganizationJsonFixture;
type MembershipJson = ClerkMembershipJsonFixture;

function documentedOrganization(organization: OrganizationJson) {
  return {
    clerkOrgId: organization.id,
    version: organization.updated_at,
    deletedAt: null as Date | null,
    name: organization.name as string | null,
    slug: organization.slug,
    imageUrl: organization.image_url as string | null,
    hasImage: organization.has_image,
    membersCount: organization.members_count as number | null,
    maxAllowedMemberships: organization.max_allowed_memberships as number | null,
    adminDeleteEnabled: organization.admin_delete_enabled as boolean | null,
    publicMetadata: withStoredKeys(organization.public_metadata),
    createdBy: organization.created_by,
    clerkCreatedAt: new Date(organization.created_at) as Date | null,
    clerkUpdatedAt: new Date(organization.updated_at) as Date | null,
  };
}

/** A deleted organization's document: identity, deletion time and version kept, everything else empty. */
export function organizationTombstone(clerkOrgId: string, deletedAt: number): ReturnType<typeof documentedOrganization> {
  return {
    clerkOrgId,
    version: deletedAt,
    deletedAt: new Date(deletedAt),
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
  };
}

function documentedMembership(membership: MembershipJson, endedAt: number | null) {
  return {
    clerkOrgId: membership.organization.id,
    clerkUserId: membership.public_user_data.user_id,
    clerkMembershipId: membership.id,
    role: membership.role,
    roleName: membership.role_name as string | null,
    permissions: membership.permissions,
    publicMetadata: endedAt === null ? withStoredKeys(membership.public_metadata) : {},
    clerkCreatedAt: new Date(membership.created_at),
    clerkUpdatedAt: new Date(membership.updated_at),
    version: endedAt ?? membership.updated_at,
    deletedAt: endedAt === null ? null : new Date(endedAt),
  };
}

type ExpectedMembership = ReturnType<typeof documentedMembership>;

export type ExpectedOrganizationState = {
  organization: ReturnType<typeof documentedOrganization>;
  memberships: Map<string, ExpectedMembership>;
  /** Each member's deletion time, or null while the user lives (a version-0 stub, if nothing else). */
  users: Map<string, number | null>;
};

/** What in-order delivery of the history leaves, stated from the documented mapping. */
export function expectedOrganizationState({ orgId, memberIds, events }: OrganizationHistory): ExpectedOrganizationState {
  let newest: OrganizationJson | undefined;
  let organizationDeletedAt: number | null = null;
  const last = new Map<string, { membership: MembershipJson; endedAt: number | null }>();
  const users = new Map<string, number | null>(memberIds.map((id) => [id, null]));
  for (const event of events) {
    switch (event.type) {
      case 'organization.created':
      case 'organization.updated':
        if (!newest || event.data.updated_at > newest.updated_at) newest = event.data;
        break;
      case 'organization.deleted':
        organizationDeletedAt ??= event.timestamp;
        break;
      case 'user.deleted':
        users.set(event.data.id, users.get(event.data.id) ?? event.timestamp);
        break;
      default: {
        const membership = event.data;
        if (!newest || membership.organization.updated_at > newest.updated_at) newest = membership.organization;
        const deleted = event.type === 'organizationMembership.deleted';
        last.set(membership.public_user_data.user_id, { membership, endedAt: deleted ? event.timestamp : null });
      }
    }
  }
  if (!newest) throw new Error(`no organization JSON in the history of ${orgId}`);
  const memberships = new Map<string, ExpectedMembership>();
  for (const [userId, { membership, endedAt }] of last) {
    const sideEnds = [organizationDeletedAt, users.get(userId) ?? null].filter((end): end is number => end !== null);
    const ends = [...sideEnds, ...(endedAt === null ? [] : [endedAt])];
    const document = documentedMembership(membership, endedAt);
    memberships.set(userId, sideEnds.length === 0 ? document : { ...document, publicMetadata: {}, deletedAt: new Date(Math.min(...ends)) });
  }
  const organization =
    organizationDeletedAt === null ? documentedOrganization(newest) : organizationTombstone(orgId, organizationDeletedAt);
  return { organization, memberships, users };
}

export type OrganizationMismatch = {
  orgId: string;
  /** The member concerned, for a membership's or a user's mismatch. */
  userId?: string;
  kind: Mismatch['kind'] | 'unlinked';
  detail: string;
};

export type OrganizationStateCheck = {
  organizations: number;
  matched: number;
  mismatches: OrganizationMismatch[];
  counts: Record<OrganizationMismatch['kind'], number>;
};

function compare(expected: Record<string, unknown>, stored: Record<string, unknown>): string | null {
  const differing = Object.keys(expected).filter((field) => !isDeepStrictEqual(stored[field], expected[field]));
  if (differing.length === 0) return null;
  const field = differing[0]!;
  return `${differing.join(', ')} (e.g. ${field}: ${JSON.stringify(stored[field])} ≠ ${JSON.stringify(expected[field])})`;
}

function mismatchOf(expected: { deletedAt: Date | null; version: number }, stored: Record<string, unknown>[]) {
  if (stored.length === 0) return { kind: 'lost' as const, detail: 'no document' };
  if (stored.length > 1) return { kind: 'duplicated' as const, detail: `${stored.length} documents` };
  const [document] = stored as [Record<string, unknown>];
  if (expected.deletedAt !== null && document.deletedAt == null)
    return { kind: 'resurrected' as const, detail: `live at version ${String(document.version)}` };
  if (Number(document.version ?? 0) < expected.version)
    return { kind: 'stale' as const, detail: `version ${String(document.version)}, expected ${expected.version}` };
  const differing = compare(expected, document);
  return differing ? { kind: 'diverged' as const, detail: differing } : null;
}

/** The organization's, its memberships' and its members' documents against in-order delivery, and every membership's links. */
async function checkOrganization(database: Db, history: OrganizationHistory): Promise<OrganizationMismatch[]> {
  const expected = expectedOrganizationState(history);
  const { orgId } = history;
  const [organizations, memberships, users] = await Promise.all([
    database.collection(DEFAULT_COLLECTIONS.organizations).find({ clerkOrgId: orgId }).toArray(),
    database.collection(DEFAULT_COLLECTIONS.memberships).find({ clerkOrgId: orgId }).toArray(),
    database
      .collection(DEFAULT_COLLECTIONS.users)
      .find({ clerkId: { $in: history.memberIds } })
      .toArray(),
  ]);
  const mismatches: OrganizationMismatch[] = [];
  const organization = mismatchOf(expected.organization, organizations);
  if (organization) mismatches.push({ orgId, ...organization });
  if (memberships.length !== expected.memberships.size)
    mismatches.push({
      orgId,
      kind: memberships.length > expected.memberships.size ? 'duplicated' : 'lost',
      detail: `${memberships.length} memberships, expected ${expected.memberships.size}`,
    });
  for (const [userId, membership] of expected.memberships) {
    const stored = memberships.filter((document) => document.clerkUserId === userId);
    const mismatch = mismatchOf(membership, stored);
    if (mismatch) mismatches.push({ orgId, userId, ...mismatch });
    const user = users.filter((document) => document.clerkId === userId);
    if (user.length !== 1)
      mismatches.push({ orgId, userId, kind: user.length ? 'duplicated' : 'lost', detail: `${user.length} user documents` });
    const deletedAt = expected.users.get(userId) ?? null;
    if (user.length === 1 && !isDeepStrictEqual(user[0]!.deletedAt ?? null, deletedAt === null ? null : new Date(deletedAt)))
      mismatches.push({
        orgId,
        userId,
        kind: deletedAt === null ? 'diverged' : 'resurrected',
        detail: `user deletedAt ${String(user[0]!.deletedAt)}`,
      });
    const linked = stored.length === 1 && organizations.length === 1 && user.length === 1;
    if (linked && (!organizations[0]!._id.equals(stored[0]!.organizationId) || !user[0]!._id.equals(stored[0]!.userId)))
      mismatches.push({ orgId, userId, kind: 'unlinked', detail: 'organizationId or userId is not the _id of its side' });
  }
  return mismatches;
}

/** Compares every organization history's documents with the in-order state. */
export async function checkOrganizationsAgainstInOrder(database: Db, histories: OrganizationHistory[]): Promise<OrganizationStateCheck> {
  const mismatches: OrganizationMismatch[] = [];
  let matched = 0;
  for (let start = 0; start < histories.length; start += 50) {
    const found = await Promise.all(histories.slice(start, start + 50).map((history) => checkOrganization(database, history)));
    for (const organization of found) {
      if (organization.length === 0) matched++;
      mismatches.push(...organization);
    }
  }
  const counts = { lost: 0, duplicated: 0, resurrected: 0, stale: 0, diverged: 0, unlinked: 0 };
  for (const { kind } of mismatches) counts[kind]++;
  return { organizations: histories.length, matched, mismatches, counts };
}

export function describeOrganizationCheck(check: OrganizationStateCheck): string {
  const { lost, duplicated, resurrected, stale, diverged, unlinked } = check.counts;
  return `${check.matched}/${check.organizations} organizations (with their memberships and members) as in-order delivery leaves them; lost ${lost}, duplicated ${duplicated}, resurrected ${resurrected}, stale ${stale}, diverged ${diverged}, unlinked ${unlinked}`;
}
