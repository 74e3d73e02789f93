import type { Collection, Db } from 'mongodb';
import { unlessDatabaseDown } from '../db/errors.js';
import { missingIndexes, type CollectionNames } from '../db/indexes.js';
import { loadCurrentOrganization, type CurrentOrganization } from '../organizations/current-organization.js';
import type { FetchClerkMembership, FetchClerkOrganization } from '../organizations/jit.js';
import { activeMemberships, findMembership } from '../organizations/memberships.js';
import { findOrganization } from '../organizations/repository.js';
import type { StoredMembership, StoredOrganization } from '../organizations/schema.js';
import { presenceNow, presenceOf, type PresenceSubject } from '../presence/current.js';
import { recordHeartbeat, type HeartbeatOutcome, type HeartbeatSource } from '../presence/heartbeat.js';
import type { SessionRecord } from '../presence/session-record.js';
import type { Presence } from '../presence/status.js';
import type { SyncCheckpoint } from '../sync/checkpoint-record.js';
import { runSync, type SyncOptions, type SyncOutcome } from '../sync/run.js';
import { loadCurrentUser, type CurrentUser } from '../users/current-user.js';
import { syncUserFromClerk, type ClerkSyncResult, type FetchClerkUser } from '../users/jit.js';
import { findUser } from '../users/repository.js';
import type { AppFields, StoredUser, SyncedUser } from '../users/schema.js';
import type { StoredDeliveryRecord } from '../webhooks/delivery-record.js';
import { receiveClerkWebhook, type WebhookReply } from '../webhooks/receive.js';
import { createEngine, type Engine } from './engine.js';
import type { ClerkSyncOptions } from './options.js';
import { ensureStoreIndexes } from './store.js';

/** What backfill and reconcile take: `SyncOptions` but the kind. */
export type RunOptions = Omit<SyncOptions, 'kind'>;

/** The engine, configured: what `createClerkSync` returns. */
export type ClerkSync<Fields extends AppFields = AppFields> = {
  /** Receives one Clerk webhook delivery (a web `Request`) and answers it (a `Response`): the whole pipeline. */
  handleWebhook(request: Request): Promise<Response>;
  /** The same, answering with what the response would say, for adapters that write their own response. */
  receiveWebhook(request: Request): Promise<WebhookReply>;
  users: {
    /** One user as stored (tombstones and presence-only stubs included), parsed, metadata keys decoded; `null` if unknown. */
    find(clerkId: string): Promise<SyncedUser<Fields> | null>;
    /** The `users` collection, for the app's own queries (`{ onlineUntil: { $gt: new Date() } }`: who is online). */
    collection(): Promise<Collection<StoredUser & Partial<Fields>>>;
  };
  organizations: {
    /** One organization as stored (tombstones included), parsed, metadata keys decoded; `null` if unknown. */
    find(clerkOrgId: string): Promise<StoredOrganization | null>;
    collection(): Promise<Collection<StoredOrganization>>;
  };
  memberships: {
    /** One (organization, user) pair's membership as stored (ended ones included); `null` if unknown. */
    find(clerkOrgId: string, clerkUserId: string): Promise<StoredMembership | null>;
    /** The organization's active memberships (no `deletedAt`), oldest first. */
    ofOrganization(clerkOrgId: string): Promise<StoredMembership[]>;
    /** The user's active memberships, oldest first. */
    ofUser(clerkUserId: string): Promise<StoredMembership[]>;
    collection(): Promise<Collection<StoredMembership>>;
  };
  /** The delivery ledger, for an admin view: one entry per svix-id, no payload. */
  deliveries: { collection(): Promise<Collection<StoredDeliveryRecord>> };
  sessions: { collection(): Promise<Collection<SessionRecord>> };
  syncRuns: { collection(): Promise<Collection<SyncCheckpoint>> };
  /** The signed-in user's document, synced just in time from Clerk's Backend API when no webhook has delivered it yet. */
  loadUser(clerkId: string, options?: { fetchUser?: FetchClerkUser }): Promise<CurrentUser<Fields>>;
  /**
   * The active organization and the viewer's membership, synced just in time
   * (organization and membership from the Backend API through the same
   * guards) when no webhook has delivered them yet. Never throws for the
   * expected cases.
   */
  loadOrganization(
    clerkOrgId: string,
    clerkUserId: string,
    options?: { fetchOrganization?: FetchClerkOrganization; fetchMembership?: FetchClerkMembership },
  ): Promise<CurrentOrganization>;
  /** Fetches one user from Clerk and applies it through the webhooks' order guard (a re-sync). */
  syncUser(clerkId: string, options?: { fetchUser?: FetchClerkUser }): Promise<ClerkSyncResult>;
  presence: {
    /** Activity from a signed-in request (a visible page): `lastSeen` at most once per 30 s per user. */
    heartbeat(source: HeartbeatSource, now?: Date): Promise<HeartbeatOutcome>;
    /** Each user's presence as of `now`, by clerkId, from facts read just before (the stored fields corrected on the way). */
    now(users: readonly PresenceSubject[], now?: Date): Promise<Map<string, Presence>>;
    /** One user's presence as of `now`; `null` when the database cannot say. */
    of(user: PresenceSubject, now?: Date): Promise<Presence | null>;
    /** The window in milliseconds, as configured now. */
    windowMs(): number;
  };
  /** Every Clerk user into `users` through the webhooks' order guard, paged and resumable. */
  backfill(options?: RunOptions): Promise<SyncOutcome>;
  /** Backfill, then tombstones the users Clerk no longer has (each confirmed by a 404 first). */
  reconcile(options?: RunOptions): Promise<SyncOutcome>;
  /** Creates the engine's indexes now (they are also made on first use, once per process and database). */
  ensureIndexes(): Promise<void>;
  /** `collection.index` of every index the engine needs that the database lacks; creates none. */
  missingIndexes(): Promise<string[]>;
  /** The collection names in use. */
  collections: Readonly<CollectionNames>;
  /** The database in use, as the `database` option gives it (nothing set up). */
  database(): Promise<Db>;
};

/**
 * The engine, configured for one app: hand it the app's database (or a
 * function returning it) and its options; every operation then works on
 * that database, setting up its indexes on first use.
 */
export function createClerkSync<Fields extends AppFields = AppFields>(options: ClerkSyncOptions<Fields>): ClerkSync<Fields> {
  const engine: Engine<Fields> = createEngine(options);
  const store = engine.store;
  const run = (kind: SyncOptions['kind'], options: RunOptions = {}) =>
    runSync({ store, api: engine.clerkApi(), userFieldsOf: engine.userFieldsOf }, { ...options, kind });

  return {
    async handleWebhook(request) {
      const { status, body, headers } = await receiveClerkWebhook(engine, request);
      return Response.json(body, { status, headers });
    },
    receiveWebhook: (request) => receiveClerkWebhook(engine, request),
    users: {
      find: async (clerkId) => findUser<Fields>(await store(), clerkId),
      // The same collection, typed with the app's own fields beside the engine's.
      collection: async () => (await store()).users as unknown as Collection<StoredUser & Partial<Fields>>,
    },
    organizations: {
      find: async (clerkOrgId) => findOrganization(await store(), clerkOrgId),
      collection: async () => (await store()).organizations,
    },
    memberships: {
      find: async (clerkOrgId, clerkUserId) => findMembership(await store(), clerkOrgId, clerkUserId),
      ofOrganization: async (clerkOrgId) => activeMemberships(await store(), { clerkOrgId }),
      ofUser: async (clerkUserId) => activeMemberships(await store(), { clerkUserId }),
      collection: async () => (await store()).memberships,
    },
    deliveries: { collection: async () => (await store()).deliveries },
    sessions: { collection: async () => (await store()).sessions },
    syncRuns: { collection: async () => (await store()).syncRuns },
    loadUser: (clerkId, { fetchUser } = {}) => loadCurrentUser<Fields>(engine, fetchUser ?? engine.fetchUser, clerkId),
    loadOrganization: (clerkOrgId, clerkUserId, { fetchOrganization, fetchMembership } = {}) =>
      loadCurrentOrganization(
        engine,
        { fetchOrganization: fetchOrganization ?? engine.fetchOrganization, fetchMembership: fetchMembership ?? engine.fetchMembership },
        clerkOrgId,
        clerkUserId,
      ),
    syncUser: (clerkId, { fetchUser } = {}) => syncUserFromClerk(engine, fetchUser ?? engine.fetchUser, clerkId),
    presence: {
      heartbeat: (source, now) =>
        unlessDatabaseDown(
          async () => recordHeartbeat(await store(), source, engine.presenceWindowMs(), now),
          (): HeartbeatOutcome => 'unavailable',
        ),
      now: async (users, now) => presenceNow(await store(), users, engine.presenceWindowMs(), now),
      of: (user, now) =>
        unlessDatabaseDown(
          async () => presenceOf(await store(), user, engine.presenceWindowMs(), now),
          () => null,
        ),
      windowMs: () => engine.presenceWindowMs(),
    },
    backfill: (runOptions) => run('backfill', runOptions),
    reconcile: (runOptions) => run('reconcile', runOptions),
    ensureIndexes: async () => ensureStoreIndexes(await engine.database(), engine.names, engine.log),
    missingIndexes: async () => missingIndexes(await engine.database(), engine.names),
    collections: engine.names,
    database: engine.database,
  };
}
