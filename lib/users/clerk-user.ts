import { z } from 'zod';
import { encodeKeys } from './metadata';
import type { UserProfile } from './schema';

const CLERK_USER_ID = /^user_[A-Za-z0-9_]{1,100}$/;

/** Whether `value` can be a Clerk user id; anything else must never reach a Backend API URL. */
export function isClerkUserId(value: string): boolean {
  return CLERK_USER_ID.test(value);
}

/**
 * Clerk's user JSON, as webhooks (`data` of user.created / user.updated) and
 * the Backend API (`User.raw`) deliver it. Only what the app reads is declared;
 * unknown fields pass through untouched.
 */
const nullableText = z.string().nullish().transform((value) => value ?? null);
const timestampMs = z.number().int().nonnegative();

export const clerkUserJsonSchema = z.looseObject({
  id: z.string().min(1),
  username: nullableText,
  first_name: nullableText,
  last_name: nullableText,
  image_url: nullableText,
  primary_email_address_id: nullableText,
  primary_phone_number_id: nullableText,
  email_addresses: z
    .array(z.looseObject({ id: z.string(), email_address: z.string() }))
    .default([]),
  phone_numbers: z.array(z.looseObject({ id: z.string(), phone_number: z.string() })).default([]),
  public_metadata: z.record(z.string(), z.unknown()).nullish().transform((value) => value ?? {}),
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
