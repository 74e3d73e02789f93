import type { SessionStatus } from './sessions';

/**
 * The presence rules, as pure functions of the stored facts and `now`:
 * nothing here trusts a stored `isOnline`, so no stale `true` reaches a reader.
 */

export type Presence = { isOnline: boolean; lastSeen: Date | null };

/** A session's state as the app stores it; a bound is `null` (or absent, in records older than the bounds) when unknown. */
export type SessionLiveness = { status: SessionStatus; expireAt?: Date | null; abandonAt?: Date | null };

function isAhead(bound: Date | null | undefined, now: Date): boolean {
  return bound == null || bound.getTime() > now.getTime();
}

/**
 * Live: not ended, removed or revoked, and neither expired nor abandoned as of
 * `now`. Clerk sends no event when a session expires or is abandoned, so the
 * bounds its session events carry are checked here instead.
 */
export function isSessionLive(session: SessionLiveness, now: Date): boolean {
  return session.status === 'active' && isAhead(session.expireAt, now) && isAhead(session.abandonAt, now);
}

/** Online: a live session and activity within the window (`lastSeen` no older than `windowMs`). */
export function presenceAt(
  { lastSeen, hasLiveSession }: { lastSeen: Date | null; hasLiveSession: boolean },
  now: Date,
  windowMs: number,
): Presence {
  const recentlyActive = lastSeen !== null && now.getTime() - lastSeen.getTime() <= windowMs;
  return { isOnline: hasLiveSession && recentlyActive, lastSeen };
}
