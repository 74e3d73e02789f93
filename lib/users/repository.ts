import 'server-only';
import { ObjectId, type Collection, type Db, type Filter, type UpdateFilter } from 'mongodb';
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
 * unique index on `clerkId` refuses that insert. So concurrent deliveries can
 * never leave two documents or let an older version overwrite a newer one,
 * and an update never resurrects a deleted user. A refused insert is not yet
 * "stale": see `runGuarded`.
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
    },
    $unset: { presenceGeneration: '' },
    $setOnInsert: { createdAt: now },
  };
  return { filter, update };
}

type GuardedWrite = { filter: Filter<UserDocument>; update: UpdateFilter<UserDocument> };

/**
 * Runs a guarded write as an upsert. When the unique index refuses the insert,
 * another delivery created the document between our match and our insert;
 * whether we are stale depends on what it wrote, so the guard is evaluated
 * once more against the now existing document (no upsert: it exists, and
 * documents are never removed). Without this, the newest of N concurrent
 * first deliveries, or a delete racing a create, could be dropped as "stale".
 */
async function runGuarded({ filter, update }: GuardedWrite): Promise<WriteOutcome> {
  const users = usersCollection(await db());
  try {
    const result = await users.updateOne(filter, update, { upsert: true });
    return result.modifiedCount + result.upsertedCount > 0 ? 'applied' : 'stale';
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
  }
  const retried = await users.updateOne(filter, update);
  return retried.modifiedCount > 0 ? 'applied' : 'stale';
}

export function upsertUserProfile(profile: UserProfile, version: number): Promise<WriteOutcome> {
  return runGuarded(guardedProfileUpsert(profile, version));
}

export function tombstoneUser(clerkId: string, version: number, deletedAt: Date): Promise<WriteOutcome> {
  return runGuarded(guardedTombstone(clerkId, version, deletedAt));
}

/**
 * Fields a document may lack in storage: FerretDB v1 drops null values from
 * `$setOnInsert`, so a user never seen online may lack `lastSeen`, and a
 * presence stub (lib/users/presence.ts) its whole empty profile.
 */
const MISSING_AS_NULL = [
  'email',
  'username',
  'firstName',
  'lastName',
  'imageUrl',
  'phone',
  'clerkCreatedAt',
  'clerkUpdatedAt',
  'lastSignInAt',
  'deletedAt',
  'lastSeen',
] as const satisfies readonly (keyof UserDocument)[];

/** The user as the app reads it: metadata keys decoded, every field of the document shape present. */
export async function findUserByClerkId(clerkId: string): Promise<UserDocument | null> {
  const user = await usersCollection(await db()).findOne({ clerkId });
  if (!user) return null;
  const defaults = Object.fromEntries(MISSING_AS_NULL.map((field) => [field, user[field] ?? null]));
  return { ...user, ...defaults, emails: user.emails ?? [], publicMetadata: decodeKeys(user.publicMetadata ?? {}) };
}
