import 'server-only';
import { cascadeUserDeletion, changedAnything } from '@/lib/deletion/cascade';
import { env } from '@/lib/env';
import type { SessionStatus } from '@/lib/presence/sessions';
import { trackSession, type SessionReport } from '@/lib/presence/track';
import { profileFromClerkUser } from '@/lib/users/clerk-user';
import { tombstoneUser, upsertUserProfile, type WriteOutcome } from '@/lib/users/repository';
import type { ClerkEvent, SessionEvent } from './events';

/**
 * Applies one verified event through the order-guarded writes. Every branch is
 * idempotent: applying the same event twice leaves the same state.
 */
export async function applyEvent(event: ClerkEvent, sentAt: Date): Promise<WriteOutcome> {
  switch (event.type) {
    case 'user.created':
    case 'user.updated':
      return upsertUserProfile(profileFromClerkUser(event.data), event.data.updated_at);
    case 'user.deleted':
      return deleteUser(event.data.id, event.timestamp ?? sentAt.getTime());
    case 'session.created':
    case 'session.ended':
    case 'session.removed':
    case 'session.revoked':
      return trackSession(sessionReportOf(event));
  }
}

const STATUS_BY_EVENT: Record<SessionEvent['type'], SessionStatus> = {
  'session.created': 'active',
  'session.ended': 'ended',
  'session.removed': 'removed',
  'session.revoked': 'revoked',
};

/** What presence needs of a session event. */
export function sessionReportOf({ type, data }: SessionEvent): SessionReport {
  return {
    sessionId: data.id,
    clerkId: data.user_id,
    status: STATUS_BY_EVENT[type],
    version: data.updated_at,
    createdAt: data.created_at,
    lastActiveAt: data.last_active_at,
    expireAt: data.expire_at,
    abandonAt: data.abandon_at,
  };
}

/**
 * Tombstone first, then the cascade. The cascade runs even when the tombstone
 * is 'stale' (already written): a delivery that failed after the tombstone
 * landed is retried by Svix, and that retry must finish the cascade. The
 * delivery counts as applied if either step changed something.
 */
async function deleteUser(clerkId: string, deletedAtMs: number): Promise<WriteOutcome> {
  // A deleted user's payload has no updated_at; the envelope time orders it.
  const tombstone = await tombstoneUser(clerkId, deletedAtMs, new Date(deletedAtMs));
  const cascade = await cascadeUserDeletion(clerkId, env().DELETION_POLICY);
  return tombstone === 'applied' || changedAnything(cascade) ? 'applied' : 'stale';
}
