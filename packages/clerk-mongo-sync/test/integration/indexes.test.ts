/**
 * The engine's set-up of a database, on first use: its indexes (idempotent,
 * enforced, an obsolete one dropped) and what the server can do.
 */
import { MongoClient } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { detectCapabilities } from '../../src/db/capabilities.js';
import { isDuplicateKey } from '../../src/db/errors.js';
import { DEFAULT_COLLECTIONS as COLLECTIONS, ensureIndexes } from '../../src/db/indexes.js';
import { shardCollections } from '../../src/db/shard-keys.js';
import { createClerkSync } from '../../src/engine/create.js';
import { consoleLog } from '../../src/engine/log.js';
import { clerkSync, database, store } from '../support/engine.js';

describe('indexes', () => {
  it('are made on first use, and ensureIndexes() again is harmless: same indexes', async () => {
    await store();
    expect(await clerkSync.missingIndexes()).toEqual([]);
    const db = database();
    // Every collection the engine has created so far, with its indexes (sync_runs needs none and may not exist yet).
    const listAll = async () => {
      const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map(({ name }) => name).sort();
      return Promise.all(names.map(async (name) => ({ name, indexes: await db.collection(name).listIndexes().toArray() })));
    };
    const before = await listAll();
    await clerkSync.ensureIndexes();
    await ensureIndexes(db, COLLECTIONS, consoleLog);
    expect(await listAll()).toEqual(before);
  });

  it('ensureIndexes() on a fresh engine sets each collection up once, and does it all again when called again', async () => {
    const monitored = new MongoClient(process.env.MONGODB_URI!, { monitorCommands: true });
    const createIndexes: string[] = [];
    monitored.on('commandStarted', ({ commandName, command }) => {
      if (commandName === 'createIndexes') createIndexes.push(String(command.createIndexes));
    });
    try {
      const fresh = createClerkSync({ database: () => monitored.db(process.env.MONGODB_DB) });
      await fresh.ensureIndexes();
      const first = [...createIndexes].sort();
      expect(first.length, 'collections set up by the first call').toBeGreaterThan(0);
      expect(new Set(first).size, 'each collection once').toBe(first.length);
      createIndexes.length = 0;
      await fresh.ensureIndexes();
      expect([...createIndexes].sort()).toEqual(first);
    } finally {
      await monitored.close();
    }
  });

  it('refuse a second document with the same clerkId (unique index)', async () => {
    await store();
    const users = database().collection(COLLECTIONS.users);
    await users.insertOne({ clerkId: 'user_2duplicate', version: 1 });
    const error = await users.insertOne({ clerkId: 'user_2duplicate', version: 2 }).catch((failure: unknown) => failure);
    expect(isDuplicateKey(error)).toBe(true);
    expect(await users.countDocuments({ clerkId: 'user_2duplicate' })).toBe(1);
  });

  it("drop the ledger's clerkId_receivedAt index, which earlier versions created and nothing reads", async () => {
    const ledger = database().collection(COLLECTIONS.deliveries);
    await ledger.createIndex({ clerkId: 1, receivedAt: -1 }, { name: 'clerkId_receivedAt' });
    await ensureIndexes(database(), COLLECTIONS, consoleLog);
    expect((await ledger.listIndexes().toArray()).map(({ name }) => name).sort()).toEqual(['_id_', 'receivedAt_ttl']);
  });

  it("replace sessions' sessionId_unique by (clerkId, sessionId), as a sharded cluster needs, still one record per session", async () => {
    const sessions = database().collection(COLLECTIONS.sessions);
    await sessions.createIndex({ sessionId: 1 }, { name: 'sessionId_unique', unique: true });
    await ensureIndexes(database(), COLLECTIONS, consoleLog);
    const indexes = await sessions.listIndexes().toArray();
    expect(indexes.filter(({ unique }) => unique).map(({ name, key }) => ({ name, key }))).toEqual([
      { name: 'clerkId_sessionId_unique', key: { clerkId: 1, sessionId: 1 } },
    ]);
    await sessions.insertOne({ clerkId: 'user_2pair', sessionId: 'sess_2pair', status: 'active', version: 1 });
    const error = await sessions
      .insertOne({ clerkId: 'user_2pair', sessionId: 'sess_2pair', status: 'active', version: 2 })
      .catch((failure: unknown) => failure);
    expect(isDuplicateKey(error)).toBe(true);
  });
});

describe('shard keys', () => {
  it('shardCollections does nothing where the server is not a mongos: no sharding, not even the key’s index', async () => {
    const notes = database().collection('shard_keys_notes');
    await notes.insertOne({ clerkId: 'user_2notes' });
    const logged: string[] = [];
    await shardCollections(database(), { shard_keys_notes: { clerkId: 'hashed' } }, { log: (line) => logged.push(line) });
    expect((await notes.listIndexes().toArray()).map(({ name }) => name)).toEqual(['_id_']);
    expect(logged).toEqual([]);
  });
});

describe('capabilities', () => {
  it('knows the launched server retries writes (a single-node replica set), and the store says so', async () => {
    expect(await detectCapabilities(database())).toEqual({ retryableWrites: true });
    expect((await store()).capabilities).toEqual({ retryableWrites: true });
  });
});
