import { z } from 'zod';
import { clerkIdPattern, clerkUserIdSchema, nullableText, publicMetadataSchema, timestampMs } from '../users/clerk-user.js';
import { encodeKeys } from '../users/metadata.js';
import type { MembershipFields, OrganizationFields } from './schema.js';

const CLERK_ORG_ID = clerkIdPattern('org');

/** Whether `value` can be a Clerk organization id; anything else must never reach a Backend API URL. */
export function isClerkOrgId(value: string): boolean {
  return CLERK_ORG_ID.test(value);
}

export const clerkOrgIdSchema = z.string().regex(CLERK_ORG_ID, 'not a Clerk organization id');
export const clerkMembershipIdSchema = z.string().regex(clerkIdPattern('orgmem'), 'not a Clerk membership id');

const nullableCount = z
  .number()
  .int()
  .nonnegative()
  .nullish()
  .transform((value) => value ?? null);

/**
 * Clerk's organization JSON, as webhooks (`data` of organization.created /
 * organization.updated, and embedded in every membership) and the Backend API
 * (`Organization.raw`) deliver it. Only what the engine stores is declared;
 * unknown fields (private metadata among them) pass through unread.
 */
export const clerkOrganizationJsonSchema = z.looseObject({
  id: clerkOrgIdSchema,
  name: z.string(),
  slug: nullableText,
  image_url: nullableText,
  has_image: z.boolean().default(false),
  /** Absent from some payloads (webhooks), and Clerk does not bump `updated_at` when it changes. */
  members_count: nullableCount,
  /** 0: no limit. */
  max_allowed_memberships: nullableCount,
  admin_delete_enabled: z
    .boolean()
    .nullish()
    .transform((value) => value ?? null),
  public_metadata: publicMetadataSchema,
  created_by: clerkUserIdSchema.nullish().transform((value) => value ?? null),
  created_at: timestampMs,
  updated_at: timestampMs,
});

export type ClerkOrganizationJson = z.infer<typeof clerkOrganizationJsonSchema>;

/**
 * Clerk's organization membership JSON: the same in organizationMembership.created,
 * .updated and .deleted, and from the Backend API. `public_user_data` holds the
 * member's name, identifier (an email) and image: only its `user_id` is read,
 * the rest is the user's and lives in `users`.
 */
export const clerkMembershipJsonSchema = z.looseObject({
  id: clerkMembershipIdSchema,
  role: z.string().min(1),
  role_name: nullableText,
  permissions: z
    .array(z.string())
    .nullish()
    .transform((value) => value ?? []),
  public_metadata: publicMetadataSchema,
  created_at: timestampMs,
  updated_at: timestampMs,
  organization: clerkOrganizationJsonSchema,
  public_user_data: z.looseObject({ user_id: clerkUserIdSchema }),
});

export type ClerkMembershipJson = z.infer<typeof clerkMembershipJsonSchema>;

const toDate = (ms: number) => new Date(ms);

/** What the engine stores of a Clerk organization. */
export function organizationFieldsOf(organization: ClerkOrganizationJson): OrganizationFields {
  return {
    clerkOrgId: organization.id,
    name: organization.name,
    slug: organization.slug,
    imageUrl: organization.image_url,
    hasImage: organization.has_image,
    membersCount: organization.members_count,
    maxAllowedMemberships: organization.max_allowed_memberships,
    adminDeleteEnabled: organization.admin_delete_enabled,
    publicMetadata: encodeKeys(organization.public_metadata),
    createdBy: organization.created_by,
    clerkCreatedAt: toDate(organization.created_at),
    clerkUpdatedAt: toDate(organization.updated_at),
  };
}

/** What the engine stores of a Clerk membership (besides the links it makes): no personal data. */
export function membershipFieldsOf(membership: ClerkMembershipJson): MembershipFields {
  return {
    clerkOrgId: membership.organization.id,
    clerkUserId: membership.public_user_data.user_id,
    clerkMembershipId: membership.id,
    role: membership.role,
    roleName: membership.role_name,
    permissions: membership.permissions,
    publicMetadata: encodeKeys(membership.public_metadata),
    clerkCreatedAt: toDate(membership.created_at),
    clerkUpdatedAt: toDate(membership.updated_at),
  };
}
