/**
 * The app's shared MongoClient against a private server that this file stops
 * and restarts: it connects, the engine and the app make their indexes on
 * first use, and an outage costs failed queries (bounded by the configured
 * timeout), never the process. (The engine's own indexes and capabilities:
 * packages/clerk-mongo-sync/test/integration/indexes.test.ts.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_COLLECTIONS as COLLECTIONS, isDatabaseUnavailable } from 'clerk-mongo-sync';
import { ASSESSMENT_INDEXES, listAssessmentsOf } from '@/lib/assessments/repository';
import { ASSESSMENTS_COLLECTION } from '@/lib/assessments/schema';
import { clerkSync } from '@/lib/clerk-sync';
import { databaseName, db, DB_TIMEOUT_MS, mongoClient } from '@/lib/db/client';
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

  it('connects to the launched server, in the configured database; the engine and the app make their indexes on first use', async () => {
    const database = await db();
    expect(database.databaseName).toBe(process.env.MONGODB_DB);
    expect(databaseName()).toBe(process.env.MONGODB_DB);
    expect(await database.command({ ping: 1 })).toMatchObject({ ok: 1 });
    // Nothing has used the engine yet on this database: its indexes are still to be made.
    expect(await clerkSync.missingIndexes()).toContain(`${COLLECTIONS.users}.clerkId_unique`);
    expect(await clerkSync.users.find('user_2nobodyYet')).toBeNull();
    expect(await clerkSync.missingIndexes()).toEqual([]);
    await listAssessmentsOf('user_2nobodyYet');
    const assessmentIndexes = (await database.collection(ASSESSMENTS_COLLECTION).listIndexes().toArray()).map(({ name }) => name);
    expect(assessmentIndexes.sort()).toEqual(['_id_', ...ASSESSMENT_INDEXES.map(({ name }) => name!)].sort());
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
