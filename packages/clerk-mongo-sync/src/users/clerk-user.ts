import { z } from 'zod';
import { encodeKeys } from './metadata.js';
import type { UserProfile } from './schema.js';

/** Clerk ids are a prefix and base62 (27 characters at Clerk; tools and tests use readable ones). */
export const clerkIdPattern = (prefix: string) => new RegExp(`^${prefix}_[A-Za-z0-9_]{1,100}$`);
const CLERK_USER_ID = clerkIdPattern('user');

/** Whether `value` can be a Clerk user id; anything else must never reach a Backend API URL. */
export function isClerkUserId(value: string): boolean {
  return CLERK_USER_ID.test(value);
}

export const clerkUserIdSchema = z.string().regex(CLERK_USER_ID, 'not a Clerk user id');
export const clerkSessionIdSchema = z.string().regex(clerkIdPattern('sess'), 'not a Clerk session id');

/** Clerk caps a user's metadata at 8 KB; a larger one did not come from Clerk. */
const MAX_METADATA_BYTES = 8 * 1024;
/**
 * MongoDB stores documents at most 100 levels deep, each object or array a
 * level; public metadata is one level below the user document. Deeper
 * metadata would be refused by the database on every retry, so it is refused
 * here, with a reason, before anything is written.
 */
const MAX_METADATA_DEPTH = 99;

/** Whether objects and arrays nest deeper than `limit` in `value`; looks no deeper than that. */
function nestsDeeperThan(value: unknown, limit: number): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (limit === 0) return true;
  return Object.values(value).some((item) => nestsDeeperThan(item, limit - 1));
}

export const publicMetadataSchema = z
  .record(z.string(), z.unknown())
  .nullish()
  .transform((value) => value ?? {})
  .superRefine((metadata, context) => {
    // Depth first: serialising a value nested thousands of levels deep would overflow the stack.
    if (nestsDeeperThan(metadata, MAX_METADATA_DEPTH)) {
      context.addIssue({ code: 'custom', message: `nested deeper than the ${MAX_METADATA_DEPTH} levels MongoDB can store` });
    } else if (Buffer.byteLength(JSON.stringify(metadata)) > MAX_METADATA_BYTES) {
      context.addIssue({ code: 'custom', message: `larger than Clerk's ${MAX_METADATA_BYTES / 1024} KB metadata limit` });
    }
  });

/**
 * Clerk's user JSON, as webhooks (`data` of user.created / user.updated) and
 * the Backend API (`User.raw`) deliver it. Only what the app reads is declared;
 * unknown fields pass through untouched.
 */
export const nullableText = z
  .string()
  .nullish()
  .transform((value) => value ?? null);
export const timestampMs = z.number().int().nonnegative();

export const clerkUserJsonSchema = z.looseObject({
  id: clerkUserIdSchema,
  username: nullableText,
  first_name: nullableText,
  last_name: nullableText,
  image_url: nullableText,
  primary_email_address_id: nullableText,
  primary_phone_number_id: nullableText,
  email_addresses: z.array(z.looseObject({ id: z.string(), email_address: z.string() })).default([]),
  phone_numbers: z.array(z.looseObject({ id: z.string(), phone_number: z.string() })).default([]),
  public_metadata: publicMetadataSchema,
  created_at: timestampMs,
  updated_at: timestampMs,
  last_sign_in_at: timestampMs.nullish().transform((value) => value ?? null),
});

export type ClerkUserJson = z.infer<typeof clerkUserJsonSchema>;

function primary<T extends { id: string }>(items: T[], primaryId: string | null): T | undefined {
  return primaryId === null ? undefined : items.find((item) => item.id === primaryId);
}

const toDate = (ms: number | null) => (ms === null ? null : new Date(ms));

/** The profile the app stores for a Clerk user. Users without email, username or name are normal. */
export function profileFromClerkUser(user: ClerkUserJson): UserProfile {
  return {
    clerkId: user.id,
    email: primary(user.email_addresses, user.primary_email_address_id)?.email_address ?? null,
    emails: user.email_addresses.map((address) => address.email_address),
    username: user.username,
    firstName: user.first_name,
    lastName: user.last_name,
    imageUrl: user.image_url,
    phone: primary(user.phone_numbers, user.primary_phone_number_id)?.phone_number ?? null,
    publicMetadata: encodeKeys(user.public_metadata),
    clerkCreatedAt: toDate(user.created_at),
    clerkUpdatedAt: toDate(user.updated_at),
    lastSignInAt: toDate(user.last_sign_in_at),
  };
}
