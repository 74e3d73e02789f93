import { ObjectId } from 'mongodb';
import { z } from 'zod';

/**
 * A document of the `users` collection: the app's copy of a Clerk user.
 *
 * `version` is the order guard: the Clerk timestamp (ms) of the newest event
 * applied. 0 means only presence is known so far (a session event arrived
 * before the user's own events); the profile fields are then still empty.
 *
 * Parsed on every read (`findUserByClerkId`). A field a stored document lacks
 * (one written before the field existed) reads as empty, never as undefined.
 */
const emptyText = z.string().nullable().default(null);
const emptyDate = z.date().nullable().default(null);

export const userDocumentSchema = z.object({
  _id: z.instanceof(ObjectId),
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
  version: z.number(),
  /** Bumped by every session event; guards the `isOnline` recompute (lib/users/presence.ts). Absent until the first one. */
  presenceGeneration: z.number().int().optional(),
});

export type UserDocument = z.infer<typeof userDocumentSchema>;

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

/** Whether the document holds a synced profile (not just presence, not a tombstone). */
export function hasProfile(user: Pick<UserDocument, 'version' | 'deletedAt'>): boolean {
  return user.version > 0 && user.deletedAt === null;
}
