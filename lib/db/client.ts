import 'server-only';
import { attachDatabasePool } from '@vercel/functions';
import { MongoClient, type Db } from 'mongodb';
import { env } from '@/lib/env';
import { resolveDatabaseName } from './database-name';

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

type Shared = { uri: string; client: MongoClient; connection?: Promise<MongoClient>; databases: Map<string, Db> };

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
    // Below the webhook's 8 s deadline (the engine's webhooks/receive.ts): a hung socket errors, and the
    // driver discards it and re-checks the server, before the delivery answers 503. Answering first left the
    // client unable to select the server for 30 s after a hang ended (the engine's webhook-outage test).
    // Long operations set their own `timeoutMS`.
    socketTimeoutMS: 7_000,
    maxIdleTimeMS: process.env.VERCEL ? VERCEL_MAX_IDLE_TIME_MS : 60_000,
    // 2xx only once the write is durable: acknowledged by a majority, journaled.
    writeConcern: { w: 'majority', journal: true },
  });
  if (process.env.VERCEL) attachDatabasePool(client);
  void current?.client.close();
  holder.__clerkMongoSync = { uri: MONGODB_URI, client, databases: new Map() };
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
 * The app database on the shared client, connected. The engine (lib/clerk-sync.ts)
 * is handed this function, so it is kept cheap: the Db object is made once per
 * name (a Db per call cost more CPU than verifying a delivery's signature).
 * Each part of the app ensures its own indexes on first use (the engine its
 * own, lib/assessments its own).
 */
export async function db(): Promise<Db> {
  const state = shared();
  await connected(state);
  const name = databaseName();
  let database = state.databases.get(name);
  if (!database) state.databases.set(name, (database = state.client.db(name)));
  return database;
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
