import 'server-only';
import { profileFromClerkUser } from '@/lib/users/clerk-user';
import { tombstoneUser, upsertUserProfile, type WriteOutcome } from '@/lib/users/repository';
import type { ClerkEvent } from './events';

/**
 * Applies one verified event through the order-guarded writes. Every branch is
 * idempotent: applying the same event twice leaves the same state.
 */
export async function applyEvent(event: ClerkEvent, sentAt: Date): Promise<WriteOutcome | 'ignored'> {
  switch (event.type) {
    case 'user.created':
    case 'user.updated':
      return upsertUserProfile(profileFromClerkUser(event.data), event.data.updated_at);
    case 'user.deleted': {
      // A deleted user's payload has no updated_at; the envelope time orders it.
      const deletedAt = event.timestamp ?? sentAt.getTime();
      return tombstoneUser(event.data.id, deletedAt, new Date(deletedAt));
    }
    default:
      return 'ignored';
  }
}
