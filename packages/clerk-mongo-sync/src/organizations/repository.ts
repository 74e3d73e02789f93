import type { Filter, ObjectId, UpdateFilter } from 'mongodb';
import { guardedUpsert, type WriteOutcome } from '../db/guarded-upsert.js';
import type { Store } from '../engine/store.js';
import { decodeKeys } from '../users/metadata.js';
import { organizationFieldsOf, type ClerkOrganizationJson } from './clerk-organization.js';
import { organizationDocumentSchema, type OrganizationFields, type StoredOrganization } from './schema.js';

/**
 * The order-guarded upsert of an organization, exactly as users': it matches
 * only a live document older than `version`; otherwise the unique index on
 * `clerkOrgId` refuses the insert, so no older version overwrites a newer one
 * and nothing revives a tombstone.
 */
export function guardedOrganizationUpsert(fields: OrganizationFields, version: number, now = new Date()) {
  const { clerkOrgId, ...rest } = fields;
  const filter: Filter<StoredOrganization> = { clerkOrgId, deletedAt: null, version: { $lt: version } };
  const update: UpdateFilter<StoredOrganization> = { $set: { ...rest, version, updatedAt: now }, $setOnInsert: { createdAt: now } };
  return { filter, update };
}

/** Every field Clerk's JSON determines, empty: what a tombstone keeps of them. */
function emptyOrganization(): Omit<OrganizationFields, 'clerkOrgId'> {
  return {
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

/**
 * PII-free tombstone (`_id`, `clerkOrgId`, `createdAt`, `deletedAt`, the
 * version kept), the whole document replaced by one fixed shape, so it is the
 * same whether the delete arrives first or last. Final: no event revives it.
 */
export function guardedOrganizationTombstone(clerkOrgId: string, version: number, deletedAt: Date, now = new Date()) {
  const filter: Filter<StoredOrganization> = { clerkOrgId, deletedAt: null };
  const tombstone = { clerkOrgId, deletedAt, version, updatedAt: now, ...emptyOrganization() };
  // Every value as a literal: a string starting with `$` would otherwise read as a field path.
  const literals = Object.fromEntries(Object.entries(tombstone).map(([field, value]) => [field, { $literal: value }]));
  const update = [{ $replaceWith: { _id: '$_id', createdAt: { $ifNull: ['$createdAt', now] }, ...literals } }];
  return { filter, update };
}

export function upsertOrganization(store: Store, organization: ClerkOrganizationJson): Promise<WriteOutcome> {
  const { filter, update } = guardedOrganizationUpsert(organizationFieldsOf(organization), organization.updated_at);
  return guardedUpsert(store.organizations, filter, update);
}

export function tombstoneOrganization(store: Store, clerkOrgId: string, deletedAtMs: number): Promise<WriteOutcome> {
  const { filter, update } = guardedOrganizationTombstone(clerkOrgId, deletedAtMs, new Date(deletedAtMs));
  return guardedUpsert(store.organizations, filter, update);
}

/** The organization's document `_id` and deletion, once it exists. */
export async function organizationLink(store: Store, clerkOrgId: string): Promise<{ _id: ObjectId; deletedAt: Date | null } | null> {
  const found = await store.organizations.findOne({ clerkOrgId }, { projection: { _id: 1, deletedAt: 1 } });
  return found ? { _id: found._id, deletedAt: found.deletedAt ?? null } : null;
}

/** An organization as the engine hands it out: parsed, metadata keys decoded. */
export function readOrganization(stored: StoredOrganization): StoredOrganization {
  const organization = organizationDocumentSchema.parse(stored);
  return { ...organization, publicMetadata: decodeKeys(organization.publicMetadata) };
}

export async function findOrganization(store: Store, clerkOrgId: string): Promise<StoredOrganization | null> {
  const stored = await store.organizations.findOne({ clerkOrgId });
  return stored ? readOrganization(stored) : null;
}
