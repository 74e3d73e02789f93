import type { Store } from '../engine/store.js';
import { applyMembership, endMemberships } from '../organizations/memberships.js';
import { organizationLink, tombstoneOrganization, upsertOrganization } from '../organizations/repository.js';
import type { SessionStatus } from '../presence/sessions.js';
import { removeSessionsOf } from '../presence/sessions.js';
import { trackSession, type SessionReport } from '../presence/track.js';
import type { ClerkUserJson } from '../users/clerk-user.js';
import { tombstoneUser, upsertUserProfile, type UserFields, type WriteOutcome } from '../users/repository.js';
import type { ClerkEvent, SessionEvent } from './events.js';

/** What applying an event needs from the engine. */
export type ApplyTarget = {
  userFieldsOf: (user: ClerkUserJson) => UserFields;
  presenceWindowMs: () => number;
};

/**
 * Applies one verified event through the order-guarded writes. Every branch is
 * idempotent: applying the same event twice leaves the same state.
 */
export async function applyEvent(target: ApplyTarget, store: Store, event: ClerkEvent, sentAt: Date): Promise<WriteOutcome> {
  switch (event.type) {
    case 'user.created':
    case 'user.updated':
      return upsertUserProfile(store, target.userFieldsOf(event.data), event.data.updated_at);
    case 'user.deleted':
      return deleteUser(store, event.data.id, event.timestamp ?? sentAt.getTime());
    case 'session.created':
    case 'session.ended':
    case 'session.removed':
    case 'session.revoked':
      return trackSession(store, sessionReportOf(event), target.presenceWindowMs());
    case 'organization.created':
    case 'organization.updated':
      return upsertOrganization(store, event.data);
    case 'organization.deleted':
      return deleteOrganization(store, event.data.id, event.timestamp ?? sentAt.getTime());
    case 'organizationMembership.created':
    case 'organizationMembership.updated':
      return applyMembership(store, event.data);
    case 'organizationMembership.deleted':
      // The data is the membership as it was (its updated_at is its last change): the envelope time orders the end.
      return applyMembership(store, event.data, event.timestamp ?? sentAt.getTime());
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
 * Tombstone first, then the user's sessions (they exist only for presence)
 * and memberships (they end at the deletion, or stay ended). Both go even
 * when the tombstone is 'stale' (already written): a delivery that failed
 * after the tombstone landed is retried by Svix, and that retry must finish
 * the job. The delivery counts as applied if any step changed something. The
 * adopter's own records are `onUserDeleted`'s, run after this on every
 * delivery of the event (webhooks/hooks.ts).
 */
async function deleteUser(store: Store, clerkId: string, deletedAtMs: number): Promise<WriteOutcome> {
  // A deleted user's payload has no updated_at; the envelope time orders it.
  const tombstone = await tombstoneUser(store, clerkId, deletedAtMs, new Date(deletedAtMs));
  const sessions = await removeSessionsOf(store, clerkId);
  // The deletion as stored: an earlier delivery's, when this one came out stale.
  const stored = await store.users.findOne({ clerkId }, { projection: { deletedAt: 1 } });
  const ended = stored?.deletedAt ? await endMemberships(store, { clerkUserId: clerkId }, stored.deletedAt) : 0;
  return tombstone === 'applied' || sessions > 0 || ended > 0 ? 'applied' : 'stale';
}

/** Tombstone first, then its memberships end, as a user's do; a retry finishes the cascade. */
async function deleteOrganization(store: Store, clerkOrgId: string, deletedAtMs: number): Promise<WriteOutcome> {
  const tombstone = await tombstoneOrganization(store, clerkOrgId, deletedAtMs);
  const stored = await organizationLink(store, clerkOrgId);
  const ended = stored?.deletedAt ? await endMemberships(store, { clerkOrgId }, stored.deletedAt) : 0;
  return tombstone === 'applied' || ended > 0 ? 'applied' : 'stale';
}
