import type { ObjectId } from 'mongodb';
import { z } from 'zod';

/**
 * A document of the `users` collection: the app's copy of a Clerk user.
 *
 * `version` is the order guard: the Clerk timestamp (ms) of the newest event
 * applied. 0 means only presence is known so far (a session event arrived
 * before the user's own events); the profile fields are then still empty.
 *
 * Parsed on every read (`findUser`). A field a stored document lacks (one
 * written before the field existed) reads as empty, never as undefined. The
 * adopter's own fields (`mapUser`) sit beside these at the top level and pass
 * through the parse untouched.
 */
const emptyText = z.string().nullable().default(null);
const emptyDate = z.date().nullable().default(null);

/** By shape, not `instanceof`: the adopter's driver (mongoose nests its own) may bring another copy of `ObjectId`. */
export const objectIdSchema = z.custom<ObjectId>(
  (value) => typeof value === 'object' && value !== null && (value as { _bsontype?: unknown })._bsontype === 'ObjectId',
  'not an ObjectId',
);

const engineFieldsSchema = z.object({
  _id: objectIdSchema,
  clerkId: z.string(),
  email: emptyText,
  emails: z.array(z.string()).default([]),
  username: emptyText,
  firstName: emptyText,
  lastName: emptyText,
  imageUrl: emptyText,
  phone: emptyText,
  publicMetadata: z.record(z.string(), z.unknown()).default({}),
  clerkCreatedAt: emptyDate,
  clerkUpdatedAt: emptyDate,
  lastSignInAt: emptyDate,
  createdAt: z.date(),
  updatedAt: z.date(),
  deletedAt: emptyDate,
  isOnline: z.boolean(),
  lastSeen: emptyDate,
  /** When the user stops being online, as of the last presence write; `null` without a live session. */
  onlineUntil: emptyDate,
  version: z.number(),
  /** Bumped by every presence write; guards the presence recompute (users/presence.ts). Absent until the first one. */
  presenceGeneration: z.number().int().optional(),
});

/** The engine's fields parsed, any others (the adopter's) kept as they are. */
export const userDocumentSchema = engineFieldsSchema.loose();

/** The engine's fields of a user document, as read. */
export type UserDocument = z.infer<typeof engineFieldsSchema>;

/** A user as the engine hands it out: its own fields and those `mapUser` adds. */
export type SyncedUser<Fields extends AppFields = AppFields> = UserDocument & Partial<Fields>;

/** The adopter's own fields on a user document (`mapUser`'s result). */
export type AppFields = Record<string, unknown>;

/** A user document as stored: the engine's fields, some absent in documents written by earlier versions (the app's own fields beside them: `SyncedUser`). */
export type StoredUser = Omit<UserDocument, 'onlineUntil' | 'emails'> & { onlineUntil?: Date | null; emails?: string[] };

/** The profile fields a Clerk user event (or the Backend API) determines. */
type ProfileField =
  | 'email'
  | 'emails'
  | 'username'
  | 'firstName'
  | 'lastName'
  | 'imageUrl'
  | 'phone'
  | 'publicMetadata'
  | 'clerkCreatedAt'
  | 'clerkUpdatedAt'
  | 'lastSignInAt';

export type UserProfile = Pick<UserDocument, 'clerkId' | ProfileField>;

/** Every field the engine writes: `mapUser` may not return any of them (nor one that starts with `$` or holds a `.`). */
export const ENGINE_USER_FIELDS: ReadonlySet<string> = new Set(Object.keys(engineFieldsSchema.shape));

/** Whether the document holds a synced profile (not just presence, not a tombstone). */
export function hasProfile(user: Pick<UserDocument, 'version' | 'deletedAt'>): boolean {
  return user.version > 0 && user.deletedAt === null;
}
