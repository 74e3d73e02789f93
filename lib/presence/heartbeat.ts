import 'server-only';
import { unlessDatabaseDown } from '@/lib/db/errors';
import { notePresence, noteHeartbeat, readPresenceRecord } from '@/lib/users/presence';
import { settlePresence } from './current';
import { attestSession, removeSessionsOf } from './sessions';
import { HEARTBEAT_WRITE_INTERVAL_MS } from './timing';

/** The signed-in request a heartbeat comes from: Clerk's verified session token names both. */
export type HeartbeatSource = { clerkId: string; sessionId: string };

/**
 * - `recorded`: `lastSeen` moved to now (one write), `isOnline` settled.
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
 * `session.created` has not arrived, and `isOnline` when it changes).
 * `lastSeen` only moves forward.
 */
export async function recordHeartbeat(source: HeartbeatSource, now = new Date()): Promise<HeartbeatOutcome> {
  return unlessDatabaseDown(
    () => beat(source, now),
    (): HeartbeatOutcome => 'unavailable',
  );
}

async function beat({ clerkId, sessionId }: HeartbeatSource, now: Date): Promise<HeartbeatOutcome> {
  const stored = await readPresenceRecord(clerkId);
  if (stored.kind === 'deleted') return 'deleted';
  if (stored.kind === 'live' && !isDue(stored.lastSeen, now)) return 'throttled';
  // The session first, then the generation bump: a reader holding the new generation must see the session.
  if ((await attestSession(sessionId, clerkId, now)) === 'over') return 'session_over';

  const ticket =
    stored.kind === 'missing' ? await notePresence(clerkId, now, now) : await noteHeartbeat(clerkId, now, HEARTBEAT_WRITE_INTERVAL_MS);
  // Another tab, session or server instance wrote within the interval since we read.
  if (!ticket) return 'throttled';
  if (ticket.kind === 'deleted') {
    await removeSessionsOf(clerkId);
    return 'deleted';
  }
  await settlePresence(clerkId, ticket, now);
  return 'recorded';
}
