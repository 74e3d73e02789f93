import { z } from 'zod';
import { objectIdSchema } from '../users/schema.js';

/**
 * The documents of the `organizations` and `memberships` collections, parsed
 * on every read. As in `users`, `version` is the order guard: the Clerk
 * timestamp (ms) of the newest data applied (`updated_at`; a delete's
 * envelope `timestamp`), and a field a stored document lacks reads as empty.
 */
const emptyText = z.string().nullable().default(null);
const emptyDate = z.date().nullable().default(null);
const emptyCount = z.number().nullable().default(null);

const organizationSchema = z.object({
  _id: objectIdSchema,
  clerkOrgId: z.string(),
  /** `null` only on a tombstone. */
  name: emptyText,
  slug: emptyText,
  imageUrl: emptyText,
  hasImage: z.boolean().default(false),
  /** Clerk's count as of `clerkUpdatedAt`: Clerk does not bump `updated_at` when members join or leave, so it can lag. */
  membersCount: emptyCount,
  /** 0: no limit. */
  maxAllowedMemberships: emptyCount,
  adminDeleteEnabled: z.boolean().nullable().default(null),
  publicMetadata: z.record(z.string(), z.unknown()).default({}),
  /** The Clerk user id of the creator. */
  createdBy: emptyText,
  clerkCreatedAt: emptyDate,
  clerkUpdatedAt: emptyDate,
  version: z.number(),
  deletedAt: emptyDate,
  createdAt: z.date(),
  updatedAt: z.date(),
});

export const organizationDocumentSchema = organizationSchema.loose();

/** An organization as the engine hands it out (`organizations.find`): a tombstone has `deletedAt` and empty fields. */
export type StoredOrganization = z.infer<typeof organizationSchema>;

/** The fields an organization's Clerk JSON determines. */
export type OrganizationFields = Omit<StoredOrganization, '_id' | 'version' | 'deletedAt' | 'createdAt' | 'updatedAt'>;

/** A role key of Clerk's, `org:admin`, `org:member` or a custom one. */
export type OrganizationRole = string;

const membershipSchema = z.object({
  _id: objectIdSchema,
  clerkOrgId: z.string(),
  clerkUserId: z.string(),
  /** The `_id` of the organization's document. */
  organizationId: objectIdSchema,
  /** The `_id` of the user's document (a version-0 stub until the user's own events arrive). */
  userId: objectIdSchema,
  clerkMembershipId: z.string(),
  role: z.string(),
  roleName: emptyText,
  permissions: z.array(z.string()).default([]),
  /** Cleared when the membership ends. */
  publicMetadata: z.record(z.string(), z.unknown()).default({}),
  clerkCreatedAt: emptyDate,
  clerkUpdatedAt: emptyDate,
  version: z.number(),
  /** When the membership ended: its own delete, or its organization's or user's deletion, whichever came first. */
  deletedAt: emptyDate,
  createdAt: z.date(),
  updatedAt: z.date(),
});

export const membershipDocumentSchema = membershipSchema.loose();

/** A membership as the engine hands it out (`memberships.find`): an ended one has `deletedAt`. */
export type StoredMembership = z.infer<typeof membershipSchema>;

/** The fields a membership's Clerk JSON determines (the `_id` links are the engine's). */
export type MembershipFields = Omit<
  StoredMembership,
  '_id' | 'organizationId' | 'userId' | 'version' | 'deletedAt' | 'createdAt' | 'updatedAt'
>;
