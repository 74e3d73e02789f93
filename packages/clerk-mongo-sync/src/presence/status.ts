import type { SessionStatus } from './session-record.js';

/**
 * The presence rules, as pure functions of the stored facts and `now`:
 * nothing here trusts a stored `isOnline`, so no stale `true` reaches a reader.
 */

/** A user's presence as of a moment: online or not, last activity, and until when they stay online (`null`: not online). */
export type Presence = { isOnline: boolean; lastSeen: Date | null; onlineUntil: Date | null };

/** A session's state as the engine stores it; a bound is `null` (or absent, in records older than the bounds) when unknown. */
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

/** When a live session stops being live: the earlier of its expiry and abandonment; `null` when neither is known. */
function sessionEnd({ expireAt, abandonAt }: SessionLiveness): Date | null {
  const bounds = [expireAt, abandonAt].filter((bound): bound is Date => bound instanceof Date);
  return bounds.length === 0 ? null : new Date(Math.min(...bounds.map((bound) => bound.getTime())));
}

/**
 * Until when a user has a live session, as of `now`: the latest end among
 * their live sessions; `null` when one of them has no known end (it lasts
 * until an event ends it); `undefined` when none is live.
 */
export function liveUntil(sessions: readonly SessionLiveness[], now: Date): Date | null | undefined {
  const ends = sessions.filter((session) => isSessionLive(session, now)).map(sessionEnd);
  if (ends.length === 0) return undefined;
  if (ends.includes(null)) return null;
  return new Date(Math.max(...ends.map((end) => end!.getTime())));
}

/**
 * Online: a live session and activity within the window. `onlineUntil` is
 * when that stops without any further event: `windowMs` after the last
 * activity, or the end of the last live session if that comes first; `null`
 * without a live session (or any activity). So `onlineUntil > now` is the
 * rule, for this code and for anyone who reads only the stored field.
 */
export function presenceAt(
  { lastSeen, sessionsLiveUntil }: { lastSeen: Date | null; sessionsLiveUntil: Date | null | undefined },
  now: Date,
  windowMs: number,
): Presence {
  if (lastSeen === null || sessionsLiveUntil === undefined) return { isOnline: false, lastSeen, onlineUntil: null };
  const idleAt = lastSeen.getTime() + windowMs;
  const onlineUntil = new Date(sessionsLiveUntil === null ? idleAt : Math.min(idleAt, sessionsLiveUntil.getTime()));
  return { isOnline: onlineUntil.getTime() > now.getTime(), lastSeen, onlineUntil };
}
