import type { Db } from 'mongodb';
import type { CollectionNames } from '../db/indexes.js';
import type { FetchClerkMembership, FetchClerkOrganization } from '../organizations/jit.js';
import type { StoredOrganization } from '../organizations/schema.js';
import type { ClerkUserJson } from '../users/clerk-user.js';
import type { FetchClerkUser } from '../users/jit.js';
import type { AppFields, SyncedUser } from '../users/schema.js';
import type { ClerkEvent } from '../webhooks/events.js';
import type { Log } from './log.js';

export type UserCreatedEvent = Extract<ClerkEvent, { type: 'user.created' }>;
export type UserUpdatedEvent = Extract<ClerkEvent, { type: 'user.updated' }>;
export type UserDeletedEvent = Extract<ClerkEvent, { type: 'user.deleted' }>;
export type OrganizationDeletedEvent = Extract<ClerkEvent, { type: 'organization.deleted' }>;

/** What `onUserCreated` and `onUserUpdated` are given. */
export type UserHookContext<Fields extends AppFields, Event> = {
  /** The user as stored now, after this delivery's write: possibly newer than the event's data. */
  user: SyncedUser<Fields>;
  /** The verified, parsed event. */
  event: Event;
  /** The database the engine writes to (the adopter's own `Db`). */
  database: Db;
};

/** What `onUserDeleted` is given. */
export type UserDeletedContext<Fields extends AppFields> = {
  clerkId: string;
  /** The tombstone as stored (no profile, no app fields). */
  user: SyncedUser<Fields> | null;
  event: UserDeletedEvent;
  database: Db;
};

/** What `onOrganizationDeleted` is given. */
export type OrganizationDeletedContext = {
  clerkOrgId: string;
  /** The tombstone as stored (no profile); its memberships have ended. */
  organization: StoredOrganization | null;
  event: OrganizationDeletedEvent;
  database: Db;
};

/**
 * A MongoDB database: the driver's `Db`, or a `Db` of another copy of the
 * driver, whose declared type may differ by version (mongoose's
 * `connection.db`, which nests a driver of its own). Only what every version
 * has is required of its type.
 */
export type DatabaseHandle =
  Db | { readonly databaseName: string; readonly client: object; collection(name: string): object; admin(): object };

/** A hook may return anything (it is awaited); throwing answers the delivery 500 so that Svix retries it. */
export type Hook<Context> = (context: Context) => unknown;

export type ClerkSyncOptions<Fields extends AppFields = AppFields> = {
  /**
   * The database to write to: a `Db`, or a function returning one (or a
   * promise of one) from the app's own client, called on every use, so it must
   * be cheap (return the same client's `Db`; never make a client in it).
   * Mongoose: `() => mongoose.connection.db`.
   */
  database: DatabaseHandle | (() => DatabaseHandle | undefined | Promise<DatabaseHandle | undefined>);
  /** The engine's collection names; each defaults to its name in `DEFAULT_COLLECTIONS`. */
  collections?: Partial<CollectionNames>;
  /**
   * The Svix signing secret (`whsec_…`), or a function returning it. Default:
   * `CLERK_WEBHOOK_SECRET`, else `CLERK_WEBHOOK_SIGNING_SECRET`, read on every
   * delivery (a reloaded environment applies at once).
   */
  webhookSecret?: string | (() => string | undefined);
  /**
   * The event types handled: exact (`user.created`) or a family (`user.*`).
   * Others are answered 200 `ignored`. Default `['user.*', 'session.*',
   * 'organization.*', 'organizationMembership.*']`; without `session.*`, no
   * presence from session events. Clerk sends only the types its endpoint
   * subscribes to.
   */
  events?: readonly string[];
  /**
   * The app's own fields from a Clerk user, stored at the top level of its
   * document beside the profile and written under the same order guard (an
   * older event never overwrites them). Return every field every time (`null`
   * for "none"): a field left out keeps its stored value. Names may not be the
   * engine's own, start with `$` or contain `.`. A tombstone removes them all.
   */
  mapUser?: (clerkUser: ClerkUserJson) => Fields;
  /**
   * After a `user.created` delivery's write, applied or stale (the user was
   * already there: a just-in-time sync got there first, or this is a retry),
   * unless the user is deleted. At least once: throwing answers 500 and Svix
   * retries, so hooks must be idempotent.
   */
  onUserCreated?: Hook<UserHookContext<Fields, UserCreatedEvent>>;
  /** As `onUserCreated`, for `user.updated`. */
  onUserUpdated?: Hook<UserHookContext<Fields, UserUpdatedEvent>>;
  /** After every `user.deleted` delivery's tombstone: delete or unlink the app's own records of the user. At least once. */
  onUserDeleted?: Hook<UserDeletedContext<Fields>>;
  /** After every `organization.deleted` delivery's tombstone and the end of its memberships: the app's records of the organization. At least once. */
  onOrganizationDeleted?: Hook<OrganizationDeletedContext>;
  presence?: {
    /**
     * How long after their last activity a user with a live session counts as
     * online, in whole seconds (120–86400; default 300), or a function
     * returning it (read on every use).
     */
    windowSeconds?: number | (() => number);
  };
  /** Clerk's Backend API, for just-in-time sync and backfill. */
  clerk?: {
    /** Default `CLERK_SECRET_KEY`, read on every use. */
    secretKey?: string;
    /** Default `CLERK_API_URL`, else `https://api.clerk.com`. */
    apiUrl?: string;
    /** How just-in-time sync fetches a user; default: the engine's own client with the key above. */
    fetchUser?: FetchClerkUser;
    /** How just-in-time sync fetches an organization; default: the engine's own client. */
    fetchOrganization?: FetchClerkOrganization;
    /** How just-in-time sync fetches a user's membership of an organization; default: the engine's own client. */
    fetchMembership?: FetchClerkMembership;
  };
  /** Where log lines go (one JSON object per line, never PII). Default: the console. */
  log?: Log;
};

/** A mistake in the options or in what a hook returned: the message names it, never user data. */
export class ClerkSyncConfigError extends Error {
  override name = 'ClerkSyncConfigError';
}
