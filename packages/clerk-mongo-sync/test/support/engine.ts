/**
 * The engine under test, as an adopter sets it up: one shared MongoClient
 * (majority writes, journaled, timeouts inside Svix's 15 s, as the app's own
 * client) and `createClerkSync` on its database. Each integration file works
 * in a database of its own (tests/support/integration-env.ts sets
 * MONGODB_URI, MONGODB_DB and CLERK_WEBHOOK_SECRET before the file loads).
 */
import { MongoClient, type Db } from 'mongodb';
import { createClerkSync, type ClerkSync } from '../../src/engine/create.js';
import { createEngine } from '../../src/engine/engine.js';
import type { ClerkSyncOptions } from '../../src/engine/options.js';
import type { Store } from '../../src/engine/store.js';
import { openStore } from '../../src/engine/store.js';
import { DEFAULT_COLLECTIONS } from '../../src/db/indexes.js';
import { consoleLog } from '../../src/engine/log.js';
import type { AppFields } from '../../src/users/schema.js';

/** What the app's client (lib/db/client.ts) sets, for the same timing under outages. */
export function testClient(uri = process.env.MONGODB_URI!): MongoClient {
  return new MongoClient(uri, {
    appName: 'clerk-mongo-sync-test',
    serverSelectionTimeoutMS: 5_000,
    connectTimeoutMS: 5_000,
    socketTimeoutMS: 7_000,
    writeConcern: { w: 'majority', journal: true },
  });
}

export const client = testClient();

export function database(): Db {
  return client.db(process.env.MONGODB_DB);
}

/** An engine on this file's database, with `options` besides. */
export function engine<Fields extends AppFields = AppFields>(options: Omit<ClerkSyncOptions<Fields>, 'database'> = {}): ClerkSync<Fields> {
  return createClerkSync<Fields>({ database, ...options });
}

/** The default engine: what most tests deliver to. */
export const clerkSync = engine();

/** The engine's context (the default options), for tests of its internals. */
export const internals = createEngine({ database });

/** The engine's collections on this file's database, set up, for tests of its internals. */
export function store(): Promise<Store> {
  return openStore(database(), DEFAULT_COLLECTIONS, consoleLog);
}
