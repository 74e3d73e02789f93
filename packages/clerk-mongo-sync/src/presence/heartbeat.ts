import { unlessDatabaseDown } from '../db/errors.js';
import type { Store } from '../engine/store.js';
import { notePresence, noteHeartbeat, readPresenceRecord } from '../users/presence.js';
import { settlePresence } from './current.js';
import { attestSession, removeSessionsOf } from './sessions.js';
import { HEARTBEAT_WRITE_INTERVAL_MS } from './timing.js';

/** The signed-in request a heartbeat comes from: Clerk's verified session token names both. */
export type HeartbeatSource = { clerkId: string; sessionId: string };

/**
 * - `recorded`: `lastSeen` moved to now (one write), `onlineUntil` and `isOnline` settled.
 * - `throttled`: seen less than 30 s ago; nothing written.
 * - `session_over`: the session is recorded as ended, removed or revoked (a token outlives sign-out by up to a minute); nothing written.
 * - `deleted`: the user is deleted; nothing written.
 * - `unavailable`: the database could not be reached.
 */
export type HeartbeatOutcome = 'recorded' | 'throttled' | 'session_over' | 'deleted' | 'unavailable';

function isDue(lastSeen: Date | null, now: Date): boolean {
  return lastSeen === null || now.getTime() - lastSeen.getTime() >= HEARTBEAT_WRITE_INTERVAL_MS;
}

/**
 * Activity from the app's own traffic: a signed-in page is open and visible
 * (or was just rendered). Costs one read when throttled, and otherwise one
 * `users` write (plus, once per session, the session's record when its
 * `session.created` has not arrived, and `onlineUntil` when it changes).
 * `lastSeen` only moves forward.
 */
export async function recordHeartbeat(
  store: Store,
  source: HeartbeatSource,
  windowMs: number,
  now = new Date(),
): Promise<HeartbeatOutcome> {
  return unlessDatabaseDown(
    () => beat(store, source, windowMs, now),
    (): HeartbeatOutcome => 'unavailable',
  );
}

async function beat(store: Store, { clerkId, sessionId }: HeartbeatSource, windowMs: number, now: Date): Promise<HeartbeatOutcome> {
  const stored = await readPresenceRecord(store, clerkId);
  if (stored.kind === 'deleted') return 'deleted';
  if (stored.kind === 'live' && !isDue(stored.lastSeen, now)) return 'throttled';
  // The session first, then the generation bump: a reader holding the new generation must see the session.
  if ((await attestSession(store, sessionId, clerkId, now)) === 'over') return 'session_over';

  const ticket =
    stored.kind === 'missing'
      ? await notePresence(store, clerkId, now, now)
      : await noteHeartbeat(store, clerkId, now, HEARTBEAT_WRITE_INTERVAL_MS);
  // Another tab, session or server instance wrote within the interval since we read.
  if (!ticket) return 'throttled';
  if (ticket.kind === 'deleted') {
    await removeSessionsOf(store, clerkId);
    return 'deleted';
  }
  await settlePresence(store, clerkId, ticket, windowMs, now);
  return 'recorded';
}
