import 'server-only';
import { unlessDatabaseDown } from '@/lib/db/errors';
import { correctOnline, type OnlineCorrection, type PresenceTicket } from '@/lib/users/presence';
import type { UserDocument } from '@/lib/users/schema';
import { liveSessionOwners } from './sessions';
import { presenceWindowMs } from './settings';
import { presenceAt, type Presence } from './status';

/** The stored facts presence is computed from. Read them before calling: see lib/users/presence.ts. */
export type PresenceSubject = Pick<UserDocument, 'clerkId' | 'lastSeen' | 'isOnline' | 'presenceGeneration'> & { deletedAt?: Date | null };

const NEVER_SEEN: Presence = { isOnline: false, lastSeen: null };

/**
 * Each user's presence as of `now`, by `clerkId`: what every reader shows,
 * never the stored `isOnline` as such. A stored `isOnline` found out of date
 * (a session expired or was abandoned, the user went idle) is corrected on
 * the way, guarded by the generation the caller read, so the stored fields
 * converge without any webhook and never overwrite a newer writer's result.
 * A deleted user is never online.
 */
export async function presenceNow(users: readonly PresenceSubject[], now = new Date()): Promise<Map<string, Presence>> {
  const live = users.filter((user) => !user.deletedAt);
  const withLiveSession = await liveSessionOwners(
    live.map((user) => user.clerkId),
    now,
  );
  const windowMs = presenceWindowMs();
  const presence = new Map<string, Presence>(users.map((user) => [user.clerkId, NEVER_SEEN]));
  const corrections: OnlineCorrection[] = [];
  for (const user of live) {
    const current = presenceAt({ lastSeen: user.lastSeen ?? null, hasLiveSession: withLiveSession.has(user.clerkId) }, now, windowMs);
    presence.set(user.clerkId, current);
    if (current.isOnline !== user.isOnline && user.presenceGeneration !== undefined) {
      corrections.push({ clerkId: user.clerkId, generation: user.presenceGeneration, isOnline: current.isOnline });
    }
  }
  await correctOnline(corrections);
  return presence;
}

/** One user's presence as of `now`, for a page; `null` when the database cannot say, so the page shows that instead of failing. */
export async function presenceOf(user: PresenceSubject, now = new Date()): Promise<Presence | null> {
  return unlessDatabaseDown(
    async () => (await presenceNow([user], now)).get(user.clerkId) ?? NEVER_SEEN,
    () => null,
  );
}

/** A writer's second step (lib/users/presence.ts): presence as of `now`, stored if it changed. */
export async function settlePresence(clerkId: string, ticket: Extract<PresenceTicket, { kind: 'live' }>, now: Date): Promise<void> {
  await presenceNow([{ clerkId, lastSeen: ticket.lastSeen, isOnline: ticket.isOnline, presenceGeneration: ticket.generation }], now);
}
