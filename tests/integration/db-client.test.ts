/**
 * The shared MongoClient against a private server that this file stops and
 * restarts: it connects, indexes are idempotent and enforced, and an outage
 * costs failed queries (bounded by the configured timeout), never the process.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capabilities, databaseName, db, DB_TIMEOUT_MS, mongoClient } from '@/lib/db/client';
import { isDatabaseUnavailable, isDuplicateKey } from '@/lib/db/errors';
import { COLLECTIONS, ensureIndexes, missingIndexes } from '@/lib/db/indexes';
import { startLocalDb, type LocalDb } from '../../tools/db/local-db';

let server: LocalDb;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'clerk-mongo-sync-db-client-'));
  server = await startLocalDb({ dataDir });
  process.env.MONGODB_URI = server.uri; // read lazily by env(): nothing has connected yet
});

afterAll(async () => {
  await mongoClient().close();
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Runs `query`, expecting it to fail as "database unavailable"; returns how long that took. */
async function failureTime(query: () => Promise<unknown>): Promise<number> {
  const startedAt = performance.now();
  const error = await query().then(
    () => new Error('the query succeeded with the server stopped'),
    (failure: unknown) => failure,
  );
  expect(isDatabaseUnavailable(error)).toBe(true);
  return performance.now() - startedAt;
}

const TIMEOUT_MARGIN_MS = 2_000;

describe('shared database client', () => {
  it('recovers when the database was down at its very first connect, without a process restart', async () => {
    await server.stop();
    expect(await failureTime(() => db())).toBeLessThan(DB_TIMEOUT_MS + TIMEOUT_MARGIN_MS);
    await server.restart();
    expect(await (await db()).command({ ping: 1 })).toMatchObject({ ok: 1 });
  });

  it('connects to the launched server, in the configured database, with the app indexes in place', async () => {
    const database = await db();
    expect(database.databaseName).toBe(process.env.MONGODB_DB);
    expect(databaseName()).toBe(process.env.MONGODB_DB);
    expect(await database.command({ ping: 1 })).toMatchObject({ ok: 1 });
    expect(await missingIndexes(database)).toEqual([]);
  });

  it('ensureIndexes() twice is harmless: same indexes', async () => {
    const database = await db();
    // Every collection the app has created so far, with its indexes (sync_runs needs none and may not exist yet).
    const listAll = async () => {
      const names = (await database.listCollections({}, { nameOnly: true }).toArray()).map(({ name }) => name).sort();
      return Promise.all(names.map(async (name) => ({ name, indexes: await database.collection(name).listIndexes().toArray() })));
    };
    const before = await listAll();
    await ensureIndexes(database);
    await ensureIndexes(database);
    expect(await listAll()).toEqual(before);
  });

  it('detects that the launched server retries writes (a single-node replica set)', async () => {
    expect(await capabilities()).toEqual({ retryableWrites: true });
  });

  it("drops the ledger's clerkId_receivedAt index, which earlier versions created and nothing reads", async () => {
    const database = await db();
    const ledger = database.collection(COLLECTIONS.deliveries);
    await ledger.createIndex({ clerkId: 1, receivedAt: -1 }, { name: 'clerkId_receivedAt' });
    await ensureIndexes(database);
    expect((await ledger.listIndexes().toArray()).map(({ name }) => name).sort()).toEqual(['_id_', 'receivedAt_ttl']);
  });

  it('refuses a second document with the same clerkId (unique index)', async () => {
    const users = (await db()).collection(COLLECTIONS.users);
    await users.insertOne({ clerkId: 'user_2duplicate', version: 1 });
    const error = await users.insertOne({ clerkId: 'user_2duplicate', version: 2 }).catch((failure: unknown) => failure);
    expect(isDuplicateKey(error)).toBe(true);
    expect(await users.countDocuments({ clerkId: 'user_2duplicate' })).toBe(1);
  });

  it('with the server stopped a query fails within the configured timeout; once it is back the next query succeeds', async () => {
    const users = (await db()).collection(COLLECTIONS.users);
    await users.insertOne({ clerkId: 'user_2survivor', version: 1 });

    await server.stop();
    expect(await failureTime(() => users.findOne({ clerkId: 'user_2survivor' }))).toBeLessThan(DB_TIMEOUT_MS + TIMEOUT_MARGIN_MS);

    await server.restart();
    expect(await users.findOne({ clerkId: 'user_2survivor' })).toMatchObject({ version: 1 });
  });
});
