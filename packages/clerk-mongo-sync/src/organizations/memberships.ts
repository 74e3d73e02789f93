import type { Filter, ObjectId, UpdateFilter } from 'mongodb';
import { isDuplicateKey } from '../db/errors.js';
import { guardedUpsert, type WriteOutcome } from '../db/guarded-upsert.js';
import type { Store } from '../engine/store.js';
import { decodeKeys } from '../users/metadata.js';
import { memberStub } from '../users/presence.js';
import { membershipFieldsOf, type ClerkMembershipJson } from './clerk-organization.js';
import { organizationLink, upsertOrganization } from './repository.js';
import { membershipDocumentSchema, type MembershipFields, type StoredMembership } from './schema.js';

/**
 * Memberships: one document per (organization, user) pair. The guard is the
 * version alone, with no `deletedAt` in the filter: a user who left and
 * rejoined comes back as a newer membership (new id, newer timestamps) of the
 * same pair. What is final is the deletion of either side: a deleted
 * organization's or user's memberships end (`endMemberships`, run after the
 * tombstone), and a membership written after such a tombstone ends itself
 * again (`endIfSideDeleted`, run after the write). The tombstone is written
 * before its cascade and the membership before its re-check, so whichever
 * comes second sees the other.
 *
 * Ending keeps the membership's own fields (role, ids, `version`) and clears
 * its metadata; `deletedAt` becomes the earliest end. So the end state is one
 * function of the membership's newest event and the sides' deletions, in
 * whatever order they arrive.
 */

/** Who a membership document belongs to: both sides' `_id`s, linked by the write. */
export type MembershipLinks = { organizationId: ObjectId; userId: ObjectId };

/**
 * The order-guarded write of one membership: live (created, updated), or
 * ended at `endedAt` (organizationMembership.deleted, whose `version` is its
 * envelope timestamp). Every write filter carries `clerkOrgId`.
 */
export function guardedMembershipWrite(
  fields: MembershipFields,
  links: MembershipLinks,
  version: number,
  endedAt: Date | null,
  now = new Date(),
) {
  const { clerkOrgId, clerkUserId, ...rest } = fields;
  const filter: Filter<StoredMembership> = { clerkOrgId, clerkUserId, version: { $lt: version } };
  const update: UpdateFilter<StoredMembership> = {
    $set: { ...rest, ...links, ...(endedAt ? { publicMetadata: {} } : {}), version, deletedAt: endedAt, updatedAt: now },
    $setOnInsert: { createdAt: now },
  };
  return { filter, update };
}

/**
 * Ends the live memberships in `scope` (an organization's, a user's, or one
 * pair's) at `endedAt`, and moves an earlier recorded end back to it: an
 * ended membership's `deletedAt` is the earliest of its ends. Returns how
 * many changed.
 */
export async function endMemberships(
  store: Store,
  scope: { clerkOrgId: string; clerkUserId?: string } | { clerkUserId: string },
  endedAt: Date,
  now = new Date(),
): Promise<number> {
  const filter: Filter<StoredMembership> = { ...scope, $or: [{ deletedAt: null }, { deletedAt: { $gt: endedAt } }] };
  const result = await store.memberships.updateMany(filter, { $set: { deletedAt: endedAt, publicMetadata: {}, updatedAt: now } });
  return result.modifiedCount;
}

/**
 * Makes sure the user has a document to link to: a version-0 stub (as a
 * session event makes) when none exists; a tombstone or a synced user is left
 * as it is.
 */
async function userLink(store: Store, clerkUserId: string, now = new Date()): Promise<ObjectId> {
  try {
    const user = await store.users.findOneAndUpdate(
      { clerkId: clerkUserId },
      { $setOnInsert: memberStub(now) },
      { upsert: true, returnDocument: 'after', projection: { _id: 1 } },
    );
    if (user) return user._id;
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
  }
  // Another delivery created it meanwhile: it exists now.
  const user = await store.users.findOne({ clerkId: clerkUserId }, { projection: { _id: 1 } });
  if (!user) throw new Error('a user document vanished while a membership was linked to it');
  return user._id;
}

/**
 * The organization, from the membership's embedded copy through the
 * organizations' own order guard (it carries `updated_at`), then its `_id`.
 */
async function organizationLinkOf(store: Store, membership: ClerkMembershipJson): Promise<ObjectId> {
  await upsertOrganization(store, membership.organization);
  const organization = await organizationLink(store, membership.organization.id);
  if (!organization) throw new Error('an organization document vanished while a membership was linked to it');
  return organization._id;
}

/**
 * Ends the pair's membership when its organization or user is deleted,
 * at the earlier deletion. Run after every membership write.
 */
async function endIfSideDeleted(store: Store, clerkOrgId: string, clerkUserId: string): Promise<boolean> {
  const [organization, user] = await Promise.all([
    store.organizations.findOne({ clerkOrgId, deletedAt: { $ne: null } }, { projection: { deletedAt: 1 } }),
    store.users.findOne({ clerkId: clerkUserId, deletedAt: { $ne: null } }, { projection: { deletedAt: 1 } }),
  ]);
  const ends = [organization?.deletedAt, user?.deletedAt].filter((date): date is Date => date instanceof Date);
  if (ends.length === 0) return false;
  const endedAt = new Date(Math.min(...ends.map((date) => date.getTime())));
  return (await endMemberships(store, { clerkOrgId, clerkUserId }, endedAt)) > 0;
}

/**
 * Applies one membership as Clerk sent it (created, updated, or ended at
 * `endedAtMs`): both sides exist and are linked first, whichever event
 * arrives first, then the guarded write, then the re-check against the
 * sides' tombstones. 'applied' if the write or the re-check changed it.
 */
export async function applyMembership(store: Store, membership: ClerkMembershipJson, endedAtMs?: number): Promise<WriteOutcome> {
  const fields = membershipFieldsOf(membership);
  const [organizationId, userId] = await Promise.all([organizationLinkOf(store, membership), userLink(store, fields.clerkUserId)]);
  const version = endedAtMs ?? membership.updated_at;
  const endedAt = endedAtMs === undefined ? null : new Date(endedAtMs);
  const { filter, update } = guardedMembershipWrite(fields, { organizationId, userId }, version, endedAt);
  const written = await guardedUpsert(store.memberships, filter, update);
  const ended = await endIfSideDeleted(store, fields.clerkOrgId, fields.clerkUserId);
  return written === 'applied' || ended ? 'applied' : 'stale';
}

/** A membership as the engine hands it out: parsed, metadata keys decoded. */
export function readMembership(stored: StoredMembership): StoredMembership {
  const membership = membershipDocumentSchema.parse(stored);
  return { ...membership, publicMetadata: decodeKeys(membership.publicMetadata) };
}

export async function findMembership(store: Store, clerkOrgId: string, clerkUserId: string): Promise<StoredMembership | null> {
  const stored = await store.memberships.findOne({ clerkOrgId, clerkUserId });
  return stored ? readMembership(stored) : null;
}

/** Active memberships (no `deletedAt`) of one organization or one user, oldest first. */
export async function activeMemberships(
  store: Store,
  scope: { clerkOrgId: string } | { clerkUserId: string },
): Promise<StoredMembership[]> {
  const found = await store.memberships
    .find({ ...scope, deletedAt: null })
    .sort({ clerkCreatedAt: 1, _id: 1 })
    .toArray();
  return found.map(readMembership);
}
