import type { Document, Filter, UpdateFilter } from 'mongodb';
import type { Store } from '../engine/store.js';
import { guardedUpsert, type WriteOutcome } from '../db/guarded-upsert.js';
import { decodeKeys } from './metadata.js';
import { userDocumentSchema, type AppFields, type StoredUser, type SyncedUser, type UserProfile } from './schema.js';

export type { WriteOutcome };

/** What a Clerk user becomes in its document: the engine's profile and the adopter's own fields (`mapUser`). */
export type UserFields = { profile: UserProfile; app: AppFields };

/** Fields a document gets when an upsert creates it, whichever event creates it. */
function insertDefaults(now: Date) {
  return { createdAt: now, isOnline: false, lastSeen: null, onlineUntil: null };
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
 * "stale": see `guardedUpsert`. The adopter's fields are set with the
 * profile, under the same guard.
 */
export function guardedProfileUpsert({ profile, app }: UserFields, version: number, now = new Date()) {
  const { clerkId, ...fields } = profile;
  const filter: Filter<StoredUser> = { clerkId, deletedAt: null, version: { $lt: version } };
  const update: UpdateFilter<StoredUser> = {
    $set: { ...app, ...fields, version, updatedAt: now },
    $setOnInsert: insertDefaults(now),
  };
  return { filter, update };
}

/**
 * The document `guardedProfileUpsert` creates for a user not stored yet, for
 * writers that insert in bulk (backfill). The unique index on `clerkId` refuses
 * it when the user exists in any state, exactly as it refuses the upsert's
 * insert. No `_id`: the adopter's driver makes it, with its own BSON library.
 */
export function newUserDocument({ profile, app }: UserFields, version: number, now = new Date()): Document {
  return { ...app, ...profile, version, updatedAt: now, deletedAt: null, ...insertDefaults(now) };
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
 * PII-free tombstone: keeps `_id`, `clerkId`, `createdAt`, `deletedAt` and
 * the version, so no late event brings the user back. It replaces the whole
 * document with this fixed shape (an update pipeline's `$replaceWith`), so
 * fields the adopter's `mapUser` wrote go too, whatever they were: the
 * tombstone is PII-free without knowing them, and the same whether the
 * delete arrives first or last (or out-of-order deliveries would not
 * converge).
 */
export function guardedTombstone(clerkId: string, version: number, deletedAt: Date, now = new Date()) {
  const filter: Filter<StoredUser> = { clerkId, deletedAt: null };
  const tombstone = {
    clerkId,
    deletedAt,
    version,
    updatedAt: now,
    ...emptyProfile(),
    isOnline: false,
    lastSeen: null,
    onlineUntil: null,
  };
  // Every value as a literal: a string starting with `$` would otherwise read as a field path.
  const literals = Object.fromEntries(Object.entries(tombstone).map(([field, value]) => [field, { $literal: value }]));
  const update = [{ $replaceWith: { _id: '$_id', createdAt: { $ifNull: ['$createdAt', now] }, ...literals } }];
  return { filter, update };
}

export async function upsertUserProfile(store: Store, fields: UserFields, version: number): Promise<WriteOutcome> {
  const { filter, update } = guardedProfileUpsert(fields, version);
  return guardedUpsert(store.users, filter, update);
}

export async function tombstoneUser(store: Store, clerkId: string, version: number, deletedAt: Date): Promise<WriteOutcome> {
  const { filter, update } = guardedTombstone(clerkId, version, deletedAt);
  return guardedUpsert(store.users, filter, update);
}

/** A stored user as the engine hands it out: parsed (absent empty fields read as empty), metadata keys decoded. */
export function readUser<Fields extends AppFields>(stored: StoredUser): SyncedUser<Fields> {
  const user = userDocumentSchema.parse(stored);
  return { ...user, publicMetadata: decodeKeys(user.publicMetadata) } as SyncedUser<Fields>;
}

export async function findUser<Fields extends AppFields>(store: Store, clerkId: string): Promise<SyncedUser<Fields> | null> {
  const stored = await store.users.findOne({ clerkId });
  return stored ? readUser<Fields>(stored) : null;
}
