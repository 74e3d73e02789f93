import type { Db } from 'mongodb';
import { clerkUsersApi, type ClerkUsersApi } from '../clerk/backend-api.js';
import { DEFAULT_COLLECTIONS, type CollectionNames } from '../db/indexes.js';
import type { FetchClerkMembership, FetchClerkOrganization } from '../organizations/jit.js';
import { DEFAULT_PRESENCE_WINDOW_SECONDS, presenceWindowProblem } from '../presence/timing.js';
import { profileFromClerkUser, type ClerkUserJson } from '../users/clerk-user.js';
import type { FetchClerkUser } from '../users/jit.js';
import type { UserFields } from '../users/repository.js';
import { ENGINE_USER_FIELDS, type AppFields } from '../users/schema.js';
import { secretLookup, type SecretLookup } from '../webhooks/secret.js';
import { consoleLog, type Log } from './log.js';
import { ClerkSyncConfigError, type ClerkSyncOptions } from './options.js';
import { openStore, type Store } from './store.js';

/**
 * The engine's context, made once from the options: everything an operation
 * needs besides its arguments. Nothing module-global: two engines (two
 * databases, two sets of collections) work side by side; what they share is
 * cached by database (engine/store.ts).
 */
export type Engine<Fields extends AppFields = AppFields> = {
  options: ClerkSyncOptions<Fields>;
  names: CollectionNames;
  /** The adopter's database, as the option gives it. */
  database: () => Promise<Db>;
  /** The adopter's database, set up (indexes, capabilities) on first use. */
  store: () => Promise<Store>;
  userFieldsOf: (user: ClerkUserJson) => UserFields;
  handles: (eventType: string) => boolean;
  presenceWindowMs: () => number;
  webhookSecret: () => SecretLookup;
  fetchUser: FetchClerkUser;
  fetchOrganization: FetchClerkOrganization;
  fetchMembership: FetchClerkMembership;
  clerkApi: () => ClerkUsersApi;
  log: Log;
};

const DEFAULT_EVENTS = ['user.*', 'session.*', 'organization.*', 'organizationMembership.*'];

export function createEngine<Fields extends AppFields>(options: ClerkSyncOptions<Fields>): Engine<Fields> {
  if (typeof options?.database !== 'function' && typeof options?.database?.collection !== 'function')
    throw new ClerkSyncConfigError('createClerkSync: `database` must be a MongoDB Db or a function returning one');
  const names = collectionNames(options.collections);
  const log = options.log ?? consoleLog;
  const windowSeconds = options.presence?.windowSeconds ?? DEFAULT_PRESENCE_WINDOW_SECONDS;
  if (typeof windowSeconds === 'number') checkWindow(windowSeconds);
  const handles = eventFilter(options.events ?? DEFAULT_EVENTS);
  const clerkApi = () => clerkUsersApi(clerkSettings(options.clerk));

  const database = () => databaseOf(options.database);
  return {
    options,
    names,
    log,
    database,
    store: async () => openStore(await database(), names, log),
    userFieldsOf: (user) => ({ profile: profileFromClerkUser(user), app: appFieldsOf(options.mapUser, user) }),
    handles,
    presenceWindowMs: () => checkWindow(typeof windowSeconds === 'function' ? windowSeconds() : windowSeconds) * 1000,
    webhookSecret: secretLookup(options.webhookSecret, log),
    fetchUser: options.clerk?.fetchUser ?? ((clerkId) => clerkApi().getUser(clerkId)),
    fetchOrganization: options.clerk?.fetchOrganization ?? ((clerkOrgId) => clerkApi().getOrganization(clerkOrgId)),
    fetchMembership: options.clerk?.fetchMembership ?? ((clerkOrgId, clerkUserId) => clerkApi().getMembership(clerkOrgId, clerkUserId)),
    clerkApi,
  };
}

async function databaseOf(option: ClerkSyncOptions['database']): Promise<Db> {
  const database = typeof option === 'function' ? await option() : option;
  // Mongoose's `connection.db` is undefined until it has connected.
  if (!database) throw new ClerkSyncConfigError('createClerkSync: `database()` returned no database (not connected yet?)');
  // Sound for any copy of the driver 7.x: the engine uses what every one has, and tells errors apart by shape (db/errors.ts).
  return database as Db;
}

function collectionNames(given: Partial<CollectionNames> | undefined): CollectionNames {
  const names = { ...DEFAULT_COLLECTIONS, ...given };
  for (const [role, name] of Object.entries(names))
    if (typeof name !== 'string' || !/^[^$\0]+$/.test(name))
      throw new ClerkSyncConfigError(`createClerkSync: collections.${role} must be a collection name`);
  if (new Set(Object.values(names)).size !== Object.keys(names).length)
    throw new ClerkSyncConfigError('createClerkSync: each collection needs a name of its own');
  return names;
}

function checkWindow(seconds: number): number {
  const problem = presenceWindowProblem(seconds);
  if (problem) throw new ClerkSyncConfigError(`createClerkSync: presence.windowSeconds ${problem}`);
  return seconds;
}

/** `user.created` matches itself, `user.*` every `user.` type, `*` all (`organizationMembership.*`: Clerk's types are camelCase). */
function eventFilter(patterns: readonly string[]): (eventType: string) => boolean {
  for (const pattern of patterns)
    if (!/^(\*|[a-zA-Z_]+\.(\*|[a-zA-Z_]+))$/.test(pattern))
      throw new ClerkSyncConfigError(`createClerkSync: events: "${pattern}" is neither an event type (user.created) nor a family (user.*)`);
  return (eventType) =>
    patterns.some(
      (pattern) => pattern === '*' || pattern === eventType || (pattern.endsWith('.*') && eventType.startsWith(pattern.slice(0, -1))),
    );
}

/** `mapUser`'s fields, checked: they sit beside the engine's own at the top level, so they may not replace or shadow them. */
function appFieldsOf(mapUser: ((user: ClerkUserJson) => AppFields) | undefined, user: ClerkUserJson): AppFields {
  if (!mapUser) return {};
  const fields: unknown = mapUser(user);
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields))
    throw new ClerkSyncConfigError('mapUser must return a plain object of fields');
  for (const name of Object.keys(fields)) {
    if (ENGINE_USER_FIELDS.has(name)) throw new ClerkSyncConfigError(`mapUser returned "${name}", one of the engine's own fields`);
    if (name.startsWith('$') || name.includes('.') || name === '')
      throw new ClerkSyncConfigError(`mapUser returned "${name}": not a field name`);
  }
  return fields as AppFields;
}

function clerkSettings(clerk: ClerkSyncOptions['clerk']) {
  const secretKey = clerk?.secretKey ?? process.env.CLERK_SECRET_KEY?.trim();
  if (!secretKey) throw new ClerkSyncConfigError('Clerk’s Backend API needs a secret key: set CLERK_SECRET_KEY (or clerk.secretKey)');
  return { secretKey, apiUrl: clerk?.apiUrl ?? process.env.CLERK_API_URL };
}
