/**
 * clerk-mongo-sync/testing: what a receiver's tests need offline, with no
 * Clerk account and no tunnel. Deliveries signed exactly as Svix signs them,
 * and Clerk's own JSON shapes for users, organizations and memberships, their
 * events and session events.
 *
 * ```ts
 * const secret = newWebhookSecret(); // the receiver verifies with this one
 * const user = clerkUser({ firstName: 'Ada' });
 * const delivery = signWebhook(secret, userCreatedEvent(user));
 * await postWebhook('http://localhost:3000/api/webhooks/clerk', delivery);
 * ```
 */
export {
  clerkId,
  clerkUser,
  membershipCreatedEvent,
  membershipDeletedEvent,
  membershipPayload,
  membershipUpdatedEvent,
  organizationCreatedEvent,
  organizationDeletedEvent,
  organizationPayload,
  organizationUpdatedEvent,
  sessionEvent,
  userCreatedEvent,
  userDeletedEvent,
  userUpdatedEvent,
  type ClerkMembershipJsonFixture,
  type ClerkMembershipOptions,
  type ClerkOrganizationJsonFixture,
  type ClerkOrganizationOptions,
  type ClerkUserJsonFixture,
  type ClerkUserOptions,
  type SessionEventOptions,
  type SessionEventType,
} from './testing/payloads.js';
export { newWebhookSecret, postWebhook, signWebhook, type SignedWebhook, type SignOptions } from './testing/svix.js';
