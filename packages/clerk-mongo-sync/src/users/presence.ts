import type { Filter, UpdateFilter } from 'mongodb';
import { isDuplicateKey } from '../db/errors.js';
import type { Store } from '../engine/store.js';
import { emptyProfile } from './repository.js';
import type { StoredUser, UserDocument } from './schema.js';

/**
 * Presence on the user document (`lastSeen`, `onlineUntil`, `isOnline`),
 * written so that concurrent writers cannot leave a wrong `onlineUntil`:
 *
 * 1. each writer (a session event, a heartbeat) first records its session,
 *    then moves `lastSeen` and bumps the user's `presenceGeneration`
 *    (`notePresence`, `noteHeartbeat`) and reads the new value;
 * 2. it then looks up the user's live sessions and writes `onlineUntil` and
 *    `isOnline` only if the generation is still the one it read
 *    (`correctOnline`).
 *
 * A write that lost the race (a later writer bumped the generation after it)
 * is dropped, and that later writer's look-up happened after every session
 * write that preceded its bump: the last writer to bump decides, with a view
 * that includes all the others. Without the generation, an event that looked
 * before another session became active could write "offline" last. Readers
 * that find the stored fields out of date correct them the same way, with
 * the generation they read.
 *
 * `onlineUntil` holds when the user stops being online (presence/status.ts),
 * so it stays true as time passes: `{ onlineUntil: { $gt: now } }` is who is
 * online now, for any reader of the collection. `isOnline` is true to the
 * moment of its last write only (`onlineUntil` was then ahead). Tombstones
 * are never touched (`deletedAt: null` in every filter).
 */

/** What a writer needs to settle `isOnline`: the generation it took and the state right after its write. */
export type PresenceTicket =
  | { kind: 'live'; generation: number; lastSeen: Date | null; isOnline: boolean; onlineUntil: Date | null | undefined }
  | { kind: 'deleted' };

/**
 * A user known so far only from a session event: `version: 0` (see
 * `hasProfile`), empty profile. The guarded profile upsert later matches it
 * (0 is older than any real version) and fills it in.
 */
export function presenceStub(now: Date) {
  return {
    version: 0,
    createdAt: now,
    updatedAt: now,
    isOnline: false,
    onlineUntil: null,
    ...emptyProfile(),
  };
}

/** The stub a membership links to when its user has no document yet: a live (not deleted) presence stub. */
export function memberStub(now: Date) {
  return { ...presenceStub(now), deletedAt: null };
}

/**
 * Records activity at `seenAt` (`lastSeen` only ever moves forward) and takes
 * a new presence generation. Creates the presence stub when the user has no
 * document yet; a user deleted here is left as it is.
 */
export async function notePresence(store: Store, clerkId: string, seenAt: Date, now = new Date()): Promise<PresenceTicket> {
  const { users } = store;
  const filter: Filter<StoredUser> = { clerkId, deletedAt: null };
  const touch = touchOf(seenAt);
  try {
    const stored = await users.findOneAndUpdate(
      filter,
      { ...touch, $setOnInsert: presenceStub(now) },
      { upsert: true, returnDocument: 'after' },
    );
    if (stored) return ticketOf(stored);
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
  }
  // The insert collided on clerkId: either a tombstone (the filter skipped it) or a
  // document another delivery created meanwhile, which the filter now matches.
  const stored = await users.findOneAndUpdate(filter, touch, { returnDocument: 'after' });
  return stored ? ticketOf(stored) : { kind: 'deleted' };
}

/** Activity at `seenAt` (`$max`: `lastSeen` never moves backwards) and a new presence generation. */
function touchOf(seenAt: Date): UpdateFilter<StoredUser> {
  return { $inc: { presenceGeneration: 1 }, $max: { lastSeen: seenAt } };
}

function ticketOf(user: Pick<StoredUser, 'presenceGeneration' | 'lastSeen' | 'isOnline' | 'onlineUntil'>): PresenceTicket {
  return {
    kind: 'live',
    generation: user.presenceGeneration ?? 0,
    lastSeen: user.lastSeen ?? null,
    isOnline: user.isOnline,
    onlineUntil: user.onlineUntil,
  };
}

/** What a heartbeat needs to know before it writes: whether the user exists, is deleted, and when they were last seen. */
export type PresenceRecord = { kind: 'missing' } | { kind: 'deleted' } | { kind: 'live'; lastSeen: Date | null };

export async function readPresenceRecord(store: Store, clerkId: string): Promise<PresenceRecord> {
  const stored = await store.users.findOne({ clerkId }, { projection: { deletedAt: 1, lastSeen: 1 } });
  if (!stored) return { kind: 'missing' };
  if (stored.deletedAt) return { kind: 'deleted' };
  return { kind: 'live', lastSeen: stored.lastSeen ?? null };
}

/**
 * A heartbeat's `lastSeen` write, taken only when the stored `lastSeen` is
 * at least `minIntervalMs` old (or absent): the database, not the
 * process, enforces one write per user per interval, so concurrent
 * heartbeats from other tabs, sessions or server instances match nothing.
 * `null` when nothing was written (seen recently, or the user is not live).
 */
export async function noteHeartbeat(store: Store, clerkId: string, seenAt: Date, minIntervalMs: number): Promise<PresenceTicket | null> {
  const due = new Date(seenAt.getTime() - minIntervalMs);
  const filter: Filter<StoredUser> = { clerkId, deletedAt: null, $or: [{ lastSeen: { $lte: due } }, { lastSeen: null }] };
  const stored = await store.users.findOneAndUpdate(filter, touchOf(seenAt), { returnDocument: 'after' });
  return stored ? ticketOf(stored) : null;
}

export type OnlineCorrection = Pick<UserDocument, 'clerkId' | 'isOnline' | 'onlineUntil'> & { generation: number };

/**
 * Sets each user's `onlineUntil` and `isOnline` (together, in one update)
 * unless another writer has taken a newer generation since the one given
 * (that one decides then); one command for all of them. Returns how many
 * changed.
 */
export async function correctOnline(store: Store, corrections: readonly OnlineCorrection[]): Promise<number> {
  if (corrections.length === 0) return 0;
  const result = await store.users.bulkWrite(
    corrections.map(({ clerkId, generation, isOnline, onlineUntil }) => ({
      updateOne: { filter: { clerkId, deletedAt: null, presenceGeneration: generation }, update: { $set: { isOnline, onlineUntil } } },
    })),
    { ordered: false },
  );
  return result.modifiedCount;
}
