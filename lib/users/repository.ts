import 'server-only';
import type { Collection, Db, Filter, UpdateFilter } from 'mongodb';
import { db } from '@/lib/db/client';
import { isDuplicateKey } from '@/lib/db/errors';
import { COLLECTIONS } from '@/lib/db/indexes';
import { decodeKeys } from './metadata';
import type { UserDocument, UserProfile } from './schema';

export type WriteOutcome = 'applied' | 'stale';

export function usersCollection(database: Db): Collection<UserDocument> {
  return database.collection<UserDocument>(COLLECTIONS.users);
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
 * unique index on `clerkId` refuses that insert, which callers read as
 * "stale". So concurrent deliveries can never leave two documents or let an
 * older version overwrite a newer one, and an update never resurrects a
 * deleted user.
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

/** PII-free tombstone: keeps `clerkId`, `deletedAt` and the version, so no late event brings the user back. */
export function guardedTombstone(clerkId: string, version: number, deletedAt: Date, now = new Date()) {
  const filter: Filter<UserDocument> = { clerkId, deletedAt: null };
  const update: UpdateFilter<UserDocument> = {
    $set: {
      deletedAt,
      version,
      updatedAt: now,
      email: null,
      emails: [],
      username: null,
      firstName: null,
      lastName: null,
      imageUrl: null,
      phone: null,
      publicMetadata: {},
      lastSignInAt: null,
      isOnline: false,
    },
    $setOnInsert: { createdAt: now, lastSeen: null, clerkCreatedAt: null, clerkUpdatedAt: null },
  };
  return { filter, update };
}

async function runGuarded(op: { filter: Filter<UserDocument>; update: UpdateFilter<UserDocument> }): Promise<WriteOutcome> {
  try {
    const result = await usersCollection(await db()).updateOne(op.filter, op.update, { upsert: true });
    return result.modifiedCount + result.upsertedCount > 0 ? 'applied' : 'stale';
  } catch (error) {
    if (isDuplicateKey(error)) return 'stale';
    throw error;
  }
}

export function upsertUserProfile(profile: UserProfile, version: number): Promise<WriteOutcome> {
  return runGuarded(guardedProfileUpsert(profile, version));
}

export function tombstoneUser(clerkId: string, version: number, deletedAt: Date): Promise<WriteOutcome> {
  return runGuarded(guardedTombstone(clerkId, version, deletedAt));
}

export async function findUserByClerkId(clerkId: string): Promise<UserDocument | null> {
  const user = await usersCollection(await db()).findOne({ clerkId });
  return user && { ...user, publicMetadata: decodeKeys(user.publicMetadata) };
}
