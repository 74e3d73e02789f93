import type { Store } from '../engine/store.js';
import { notePresence } from '../users/presence.js';
import type { WriteOutcome } from '../users/repository.js';
import { settlePresence } from './current.js';
import { recordSession, removeSessionsOf, type SessionStatus } from './sessions.js';

/** A session's state as Clerk reported it (a `session.*` webhook, mapped in webhooks/apply.ts); times in ms. */
export type SessionReport = {
  sessionId: string;
  clerkId: string;
  status: SessionStatus;
  /** The session's `updated_at`: the order guard. */
  version: number;
  createdAt: number;
  lastActiveAt?: number;
  expireAt?: number;
  abandonAt?: number;
};

function dateOrNull(ms: number | undefined): Date | null {
  return ms === undefined ? null : new Date(ms);
}

/**
 * Applies one session event to presence: records the session (with its
 * `expire_at` and `abandon_at`) through its order guard, then recomputes the
 * user's `onlineUntil` as of `now` from the sessions known and `lastSeen` (see
 * users/presence.ts for why that recompute is race-free). So a
 * `session.created` for a session already expired, or one whose last
 * activity is older than the window, leaves the user offline.
 *
 * The recompute runs even when the session write is stale: a retry after a
 * failure between the two steps must still finish the job. A user deleted
 * here is never touched, and a session recorded for them while the deletion
 * ran is removed again. 'applied' means the session's state changed.
 */
export async function trackSession(store: Store, report: SessionReport, windowMs: number, now = new Date()): Promise<WriteOutcome> {
  const { sessionId, clerkId, status, version, createdAt, lastActiveAt } = report;
  const bounds = { expireAt: dateOrNull(report.expireAt), abandonAt: dateOrNull(report.abandonAt) };
  const recorded = await recordSession(store, { sessionId, clerkId, status, version, ...bounds }, now);

  // Last activity is a fact whatever the session's state: even a stale event may carry the latest one.
  const ticket = await notePresence(store, clerkId, new Date(lastActiveAt ?? createdAt), now);
  if (ticket.kind === 'deleted') {
    await removeSessionsOf(store, clerkId);
    return 'stale';
  }
  await settlePresence(store, clerkId, ticket, windowMs, now);
  return recorded;
}
