import 'server-only';
import { attachDatabasePool } from '@vercel/functions';
import { MongoClient, type Db } from 'mongodb';
import { env } from '@/lib/env';
import { resolveDatabaseName } from './database-name';
import { detectCapabilities, noteCapabilities, type Capabilities } from './capabilities';
import { ensureIndexes } from './indexes';

/**
 * Svix gives up on a delivery after 15 s. Server selection must fail well
 * before that so the route can still answer 503 and Svix retries later.
 */
export const DB_TIMEOUT_MS = 5_000;

/**
 * On Vercel, `attachDatabasePool` keeps the function instance alive until the pool's idle connections
 * close: `maxIdleTimeMS` (+100 ms) after every use, and that time is billed. A minute, as elsewhere,
 * would bill each lone delivery for a minute; Vercel's guidance for Fluid compute is a relatively low
 * idle timeout (about 5 s): bursts still reuse connections, a quiet instance suspends within seconds.
 */
const VERCEL_MAX_IDLE_TIME_MS = 5_000;

/** A database with its capabilities detected and its indexes ensured. */
type Ready = { database: Db; capabilities: Capabilities };

type Shared = { uri: string; client: MongoClient; connection?: Promise<MongoClient>; setups: Map<string, Promise<Ready>> };

// Cached on globalThis: dev-mode HMR re-evaluates modules, and a module-level
// client would leak one connection pool per edit.
const holder = globalThis as typeof globalThis & { __clerkMongoSync?: Shared };

function shared(): Shared {
  const { MONGODB_URI } = env();
  const current = holder.__clerkMongoSync;
  if (current?.uri === MONGODB_URI) return current;

  const client = new MongoClient(MONGODB_URI, {
    appName: 'clerk-mongo-sync',
    serverSelectionTimeoutMS: DB_TIMEOUT_MS,
    connectTimeoutMS: DB_TIMEOUT_MS,
    // Below the webhook's 8 s deadline (lib/webhooks/receive.ts): a hung socket errors, and the driver
    // discards it and re-checks the server, before the delivery answers 503. Answering first left the
    // client unable to select the server for 30 s after a hang ended (tests/integration/webhook-outage.test.ts).
    // Long operations set their own `timeoutMS` (lib/sync/user-batch-writer.ts).
    socketTimeoutMS: 7_000,
    maxIdleTimeMS: process.env.VERCEL ? VERCEL_MAX_IDLE_TIME_MS : 60_000,
    // 2xx only once the write is durable: acknowledged by a majority, journaled.
    writeConcern: { w: 'majority', journal: true },
  });
  if (process.env.VERCEL) attachDatabasePool(client);
  void current?.client.close();
  noteCapabilities(undefined);
  holder.__clerkMongoSync = { uri: MONGODB_URI, client, setups: new Map() };
  return holder.__clerkMongoSync;
}

/** The shared client as it is (e.g. to close it); use `connectedClient()` or `db()` to talk to the server. */
export function mongoClient(): MongoClient {
  return shared().client;
}

/** The shared client, connected (see `connected`). */
export async function connectedClient(): Promise<MongoClient> {
  return connected(shared());
}

/** The app database: see `resolveDatabaseName`. */
export function databaseName(): string {
  return resolveDatabaseName(shared().uri, env().MONGODB_DB);
}

/**
 * The app database, with its capabilities detected and its indexes ensured
 * once per process. A failed attempt is forgotten so the next caller tries again.
 */
export async function db(): Promise<Db> {
  return (await ready()).database;
}

/**
 * Connects explicitly, once per client; a failed attempt is forgotten. The
 * driver's implicit connect on first use must not be relied on: when that
 * first connect fails (database down at app start), driver 7 keeps the closed
 * topology and every later operation fails with "Topology is closed" until the
 * process restarts. An explicit connect() after a failure builds a new one.
 */
function connected(state: Shared): Promise<MongoClient> {
  state.connection ??= state.client.connect().catch((error: unknown) => {
    state.connection = undefined;
    throw error;
  });
  return state.connection;
}

/** What the connected server can do (see capabilities.ts), detected once per process and database. */
export async function capabilities(): Promise<Capabilities> {
  return (await ready()).capabilities;
}

/**
 * Every database operation starts here, so it is kept cheap: the Db object is
 * made once with its setup (a Db per call cost more CPU than verifying a
 * delivery's signature).
 */
async function ready(): Promise<Ready> {
  const state = shared();
  await connected(state);
  const found = await setUp(state, databaseName());
  // Every time, not once: a module re-evaluated by dev-mode HMR starts without it.
  noteCapabilities(found.capabilities);
  return found;
}

/** Capabilities and indexes; a failed attempt is forgotten so the next caller tries again. */
function setUp(state: Shared, name: string): Promise<Ready> {
  let setup = state.setups.get(name);
  if (!setup) {
    const database = state.client.db(name);
    setup = Promise.all([detectCapabilities(database), ensureIndexes(database)]).then(([capabilities]) => ({ database, capabilities }));
    setup.catch(() => state.setups.delete(name));
    state.setups.set(name, setup);
  }
  return setup;
}
