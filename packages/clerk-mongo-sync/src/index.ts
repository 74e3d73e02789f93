/**
 * clerk-mongo-sync: Clerk users in your MongoDB, kept in sync by Clerk's
 * webhooks — verified, idempotent, order-safe, deletes final — with
 * just-in-time sync, backfill and presence. This core entry is
 * framework-free; `clerk-mongo-sync/next` and `clerk-mongo-sync/node` adapt
 * it to Next.js route handlers and to Node's `http` and Express.
 */

// The engine
export { createClerkSync, type ClerkSync, type RunOptions } from './engine/create.js';
export {
  ClerkSyncConfigError,
  type ClerkSyncOptions,
  type DatabaseHandle,
  type Hook,
  type OrganizationDeletedContext,
  type OrganizationDeletedEvent,
  type UserCreatedEvent,
  type UserDeletedContext,
  type UserDeletedEvent,
  type UserHookContext,
  type UserUpdatedEvent,
} from './engine/options.js';
export type { Log, LogLevel } from './engine/log.js';

// The collections and their documents
export { DEFAULT_COLLECTIONS, LEDGER_TTL_SECONDS, type CollectionNames } from './db/indexes.js';
export { hasProfile, type AppFields, type StoredUser, type SyncedUser, type UserDocument, type UserProfile } from './users/schema.js';
export type {
  MembershipFields,
  OrganizationFields,
  OrganizationRole,
  StoredMembership,
  StoredOrganization,
} from './organizations/schema.js';
export type { SessionRecord, SessionStatus } from './presence/session-record.js';
export type { DeliveryRecord, StoredDeliveryRecord } from './webhooks/delivery-record.js';
export type { SyncCheckpoint, SyncKind } from './sync/checkpoint-record.js';

// Webhook answers
export { STATUS_BY_OUTCOME, type DeliveryOutcome } from './webhooks/outcome.js';
export { MAX_BODY_BYTES, type WebhookReply } from './webhooks/receive.js';
export { isWellFormedWebhookSecret, WEBHOOK_SECRET_RULE, WEBHOOK_SECRET_VARIABLES, webhookSecretOf } from './webhooks/secret.js';
export type { ClerkEvent, ClerkEventType, MembershipEvent, OrganizationEvent, SessionEvent } from './webhooks/events.js';

// Users from Clerk, just in time
export { isClerkUserId, type ClerkUserJson } from './users/clerk-user.js';
export type { CurrentUser } from './users/current-user.js';
export type { ClerkSyncResult, FetchClerkUser } from './users/jit.js';

// Organizations from Clerk, just in time
export { isClerkOrgId, type ClerkMembershipJson, type ClerkOrganizationJson } from './organizations/clerk-organization.js';
export type { CurrentOrganization } from './organizations/current-organization.js';
export type { FetchClerkMembership, FetchClerkOrganization, OrganizationSyncResult } from './organizations/jit.js';

// Presence
export type { Presence } from './presence/status.js';
export type { PresenceSubject } from './presence/current.js';
export type { HeartbeatOutcome, HeartbeatSource } from './presence/heartbeat.js';
export {
  DEFAULT_PRESENCE_WINDOW_SECONDS,
  HEARTBEAT_WRITE_INTERVAL_MS,
  MAX_PRESENCE_WINDOW_SECONDS,
  MIN_PRESENCE_WINDOW_SECONDS,
  presenceWindowProblem,
} from './presence/timing.js';

// Backfill and reconcile
export type { ProgressReporter, SyncOptions, SyncOutcome } from './sync/run.js';
export type { SyncCounts, SyncSummary } from './sync/summary.js';
export type { RetryPolicy } from './sync/retry.js';

// Database errors, told apart by shape (any copy of the driver)
export { isDatabaseUnavailable, isDuplicateKey, unlessDatabaseDown } from './db/errors.js';
