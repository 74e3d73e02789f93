import 'server-only';
import { notePresence, settleOnline } from '@/lib/users/presence';
import type { WriteOutcome } from '@/lib/users/repository';
import type { SessionEvent } from '@/lib/webhooks/events';
import { hasActiveSession, recordSession, removeSessionsOf, type SessionStatus } from './sessions';

const STATUS_BY_EVENT: Record<SessionEvent['type'], SessionStatus> = {
  'session.created': 'active',
  'session.ended': 'ended',
  'session.removed': 'removed',
  'session.revoked': 'revoked',
};

/**
 * Applies one session event to presence: records the session through its
 * order guard, then recomputes the user's `isOnline` from the sessions known
 * (see lib/users/presence.ts for why that recompute is race-free).
 *
 * The recompute runs even when the session write is stale: a retry after a
 * failure between the two steps must still finish the job. A user deleted
 * here is never touched, and a session recorded for them while the deletion
 * ran is removed again. 'applied' means the session's state changed.
 */
export async function trackSession(event: SessionEvent): Promise<WriteOutcome> {
  const { id: sessionId, user_id: clerkId, updated_at: version, created_at: createdAt, last_active_at: lastActiveAt } = event.data;
  const recorded = await recordSession({ sessionId, clerkId, status: STATUS_BY_EVENT[event.type], version });

  // Last activity is a fact whatever the session's state: even a stale event may carry the latest one.
  const ticket = await notePresence(clerkId, new Date(lastActiveAt ?? createdAt));
  if (ticket.kind === 'deleted') {
    await removeSessionsOf(clerkId);
    return 'stale';
  }
  await settleOnline(clerkId, ticket.generation, await hasActiveSession(clerkId));
  return recorded;
}
