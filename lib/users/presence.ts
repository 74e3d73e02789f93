import 'server-only';
import type { Filter, UpdateFilter } from 'mongodb';
import { db } from '@/lib/db/client';
import { isDuplicateKey } from '@/lib/db/errors';
import { emptyProfile, usersCollection } from './repository';
import type { UserDocument } from './schema';

/**
 * Presence on the user document (`isOnline`, `lastSeen`), written so that
 * concurrent session events cannot leave a wrong `isOnline`:
 *
 * 1. each session event first records its session, then bumps the user's
 *    `presenceGeneration` (`notePresence`) and reads the new value;
 * 2. it then looks for an active session and writes `isOnline` only if the
 *    generation is still the one it read (`settleOnline`).
 *
 * A write that lost the race (a later event bumped the generation after it)
 * is dropped, and that later event's look-up happened after every session
 * write that preceded its bump: the last event to bump decides, with a view
 * that includes all the others. Without the generation, an event that looked
 * before another session became active could write `false` last.
 *
 * Tombstones are never touched (`deletedAt: null` in every filter).
 */

export type PresenceTicket = { kind: 'live'; generation: number } | { kind: 'deleted' };

/**
 * A user known so far only from a session event: `version: 0` (see
 * `hasProfile`), empty profile. The guarded profile upsert later matches it
 * (0 is older than any real version) and fills it in. FerretDB v1 drops the
 * nulls here; readers default missing fields (`findUserByClerkId`).
 */
function presenceStub(now: Date) {
  return {
    version: 0,
    createdAt: now,
    updatedAt: now,
    isOnline: false,
    ...emptyProfile(),
  };
}

/**
 * Records activity at `seenAt` (`lastSeen` only ever moves forward) and takes
 * a new presence generation. Creates the presence stub when the user has no
 * document yet; a user deleted here is left as it is.
 */
export async function notePresence(clerkId: string, seenAt: Date, now = new Date()): Promise<PresenceTicket> {
  const users = usersCollection(await db());
  const filter: Filter<UserDocument> = { clerkId, deletedAt: null };
  const touch: UpdateFilter<UserDocument> = { $inc: { presenceGeneration: 1 }, $max: { lastSeen: seenAt } };
  try {
    const stored = await users.findOneAndUpdate(filter, { ...touch, $setOnInsert: presenceStub(now) }, { upsert: true, returnDocument: 'after' });
    if (stored) return ticketOf(stored);
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
  }
  // The insert collided on clerkId: either a tombstone (the filter skipped it) or a
  // document another delivery created meanwhile, which the filter now matches.
  const stored = await users.findOneAndUpdate(filter, touch, { returnDocument: 'after' });
  return stored ? ticketOf(stored) : { kind: 'deleted' };
}

function ticketOf(user: Pick<UserDocument, 'presenceGeneration'>): PresenceTicket {
  return { kind: 'live', generation: user.presenceGeneration ?? 0 };
}

/** Sets `isOnline` unless another session event has taken a newer generation since `generation`; that one decides then. */
export async function settleOnline(clerkId: string, generation: number, isOnline: boolean): Promise<void> {
  await usersCollection(await db()).updateOne({ clerkId, deletedAt: null, presenceGeneration: generation }, { $set: { isOnline } });
}
