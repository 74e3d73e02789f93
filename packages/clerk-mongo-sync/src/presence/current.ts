import { unlessDatabaseDown } from '../db/errors.js';
import type { Store } from '../engine/store.js';
import { correctOnline, type OnlineCorrection, type PresenceTicket } from '../users/presence.js';
import type { UserDocument } from '../users/schema.js';
import { liveSessionsUntil } from './sessions.js';
import { presenceAt, type Presence } from './status.js';

/** The stored facts presence is computed from. Read them before calling: see users/presence.ts. */
export type PresenceSubject = Pick<UserDocument, 'clerkId' | 'lastSeen' | 'isOnline' | 'presenceGeneration'> & {
  onlineUntil?: Date | null;
  deletedAt?: Date | null;
};

const NEVER_SEEN: Presence = { isOnline: false, lastSeen: null, onlineUntil: null };

function sameTime(a: Date | null | undefined, b: Date | null): boolean {
  return (a ?? null)?.getTime() === b?.getTime();
}

/**
 * Each user's presence as of `now`, by `clerkId`: what every reader shows,
 * never the stored fields as such. Stored fields found out of date (written
 * under another window, or before `onlineUntil` existed) are corrected on
 * the way, guarded by the generation the caller read, so they converge
 * without any webhook and never overwrite a newer writer's result. A deleted
 * user is never online.
 */
export async function presenceNow(
  store: Store,
  users: readonly PresenceSubject[],
  windowMs: number,
  now = new Date(),
): Promise<Map<string, Presence>> {
  const live = users.filter((user) => !user.deletedAt);
  const sessionsLive = await liveSessionsUntil(
    store,
    live.map((user) => user.clerkId),
    now,
  );
  const presence = new Map<string, Presence>(users.map((user) => [user.clerkId, NEVER_SEEN]));
  const corrections: OnlineCorrection[] = [];
  for (const user of live) {
    const current = presenceAt({ lastSeen: user.lastSeen ?? null, sessionsLiveUntil: sessionsLive.get(user.clerkId) }, now, windowMs);
    presence.set(user.clerkId, current);
    const stale = current.isOnline !== user.isOnline || !sameTime(user.onlineUntil, current.onlineUntil);
    if (stale && user.presenceGeneration !== undefined) {
      const { isOnline, onlineUntil } = current;
      corrections.push({ clerkId: user.clerkId, generation: user.presenceGeneration, isOnline, onlineUntil });
    }
  }
  await correctOnline(store, corrections);
  return presence;
}

/** One user's presence as of `now`, for a page; `null` when the database cannot say, so the page shows that instead of failing. */
export async function presenceOf(store: Store, user: PresenceSubject, windowMs: number, now = new Date()): Promise<Presence | null> {
  return unlessDatabaseDown(
    async () => (await presenceNow(store, [user], windowMs, now)).get(user.clerkId) ?? NEVER_SEEN,
    () => null,
  );
}

/** A writer's second step (users/presence.ts): presence as of `now`, stored if it changed. */
export async function settlePresence(
  store: Store,
  clerkId: string,
  ticket: Extract<PresenceTicket, { kind: 'live' }>,
  windowMs: number,
  now: Date,
): Promise<void> {
  const { lastSeen, isOnline, onlineUntil, generation } = ticket;
  await presenceNow(store, [{ clerkId, lastSeen, isOnline, onlineUntil, presenceGeneration: generation }], windowMs, now);
}
