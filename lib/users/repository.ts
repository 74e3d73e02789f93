import 'server-only';
import { ObjectId, type Collection, type Db, type Filter, type UpdateFilter } from 'mongodb';
import { db } from '@/lib/db/client';
import { collectionIn } from '@/lib/db/group-commit';
import { guardedUpsert, type WriteOutcome } from '@/lib/db/guarded-upsert';
import { COLLECTIONS } from '@/lib/db/indexes';
import { decodeKeys } from './metadata';
import { userDocumentSchema, type UserDocument, type UserProfile } from './schema';

export type { WriteOutcome };

export function usersCollection(database: Db): Collection<UserDocument> {
  return collectionIn<UserDocument>(database, COLLECTIONS.users);
}

/** Fields a document gets when an upsert creates it, whichever event creates it. */
function insertDefaults(now: Date) {
  return { createdAt: now, isOnline: false, lastSeen: null };
}

/**
 * The order-guarded upsert of a user's profile, as a filter/update pair so
 * bulk writers (backfill) use exactly what the webhook path uses.
 *
 * It matches only a live document older than `version`. When none matches,
 * MongoDB tries to insert; if the user exists (newer, equal or deleted) the
 * unique index on `clerkId` refuses that insert. So concurrent deliveries can
 * never leave two documents or let an older version overwrite a newer one,
 * and an update never resurrects a deleted user. A refused insert is not yet
 * "stale": see `guardedUpsert`.
 */
export function guardedProfileUpsert(profile: UserProfile, version: number, now = new Date()) {
  const { clerkId, ...fields } = profile;
  const filter: Filter<UserDocument> = { clerkId, deletedAt: null, version: { $lt: version } };
  const update: UpdateFilter<UserDocument> = {
    $set: { ...fields, version, updatedAt: now },
    $setOnInsert: insertDefaults(now),
  };
  return { filter, update };
}

/**
 * The document `guardedProfileUpsert` creates for a user not stored yet, for
 * writers that insert in bulk (backfill). The unique index on `clerkId` refuses
 * it when the user exists in any state, exactly as it refuses the upsert's insert.
 */
export function newUserDocument(profile: UserProfile, version: number, now = new Date()): UserDocument {
  return { _id: new ObjectId(), ...profile, version, updatedAt: now, deletedAt: null, ...insertDefaults(now) };
}

/** Every profile field empty: what a tombstone keeps, and a presence-only stub starts with. */
export function emptyProfile(): Omit<UserProfile, 'clerkId'> {
  return {
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
  };
}

/**
 * PII-free tombstone: keeps `clerkId`, `deletedAt` and the version, so no late
 * event brings the user back. Every other field is reset, not just the PII:
 * the tombstone must be the same whether the delete arrives first or last, or
 * out-of-order deliveries would not converge.
 */
export function guardedTombstone(clerkId: string, version: number, deletedAt: Date, now = new Date()) {
  const filter: Filter<UserDocument> = { clerkId, deletedAt: null };
  const update: UpdateFilter<UserDocument> = {
    $set: {
      deletedAt,
      version,
      updatedAt: now,
      ...emptyProfile(),
      isOnline: false,
      lastSeen: null,
    },
    $unset: { presenceGeneration: '' },
    $setOnInsert: { createdAt: now },
  };
  return { filter, update };
}

export async function upsertUserProfile(profile: UserProfile, version: number): Promise<WriteOutcome> {
  const { filter, update } = guardedProfileUpsert(profile, version);
  return guardedUpsert(usersCollection(await db()), filter, update);
}

export async function tombstoneUser(clerkId: string, version: number, deletedAt: Date): Promise<WriteOutcome> {
  const { filter, update } = guardedTombstone(clerkId, version, deletedAt);
  return guardedUpsert(usersCollection(await db()), filter, update);
}

/** The user as the app reads it: parsed (absent empty fields read as empty), metadata keys decoded. */
export async function findUserByClerkId(clerkId: string): Promise<UserDocument | null> {
  const stored = await usersCollection(await db()).findOne({ clerkId });
  if (!stored) return null;
  const user = userDocumentSchema.parse(stored);
  return { ...user, publicMetadata: decodeKeys(user.publicMetadata) };
}
