/**
 * Grouped inserts (src/db/group-commit.ts) against the real database: what
 * concurrent callers send is what the server receives, in as few commands as
 * the round trips allow, and each caller learns what became of its own
 * document. Writes are grouped per Collection object: each test takes one.
 */
import { Collection, MongoClient } from 'mongodb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isDatabaseUnavailable } from '../../src/db/errors.js';
import { insertGrouped } from '../../src/db/group-commit.js';
import { guardedUpsert } from '../../src/db/guarded-upsert.js';
import { database as db } from '../support/engine.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('grouped inserts', () => {
  it('send concurrent inserts as one command after the first, telling each caller "inserted" or "duplicate"', async () => {
    const database = db();
    const name = `group_commit_${Date.now()}`;
    const collection = database.collection<{ _id: string }>(name);
    await collection.insertOne({ _id: 'stored-before' });
    const insertMany = vi.spyOn(Collection.prototype, 'insertMany');

    const ids = [...Array.from({ length: 40 }, (_, i) => `doc-${i}`), 'stored-before', 'doc-3', 'doc-7'];
    const results = await Promise.all(ids.map((_id) => insertGrouped(collection, { _id, at: new Date() })));

    expect(results).toEqual([...Array<string>(40).fill('inserted'), 'duplicate', 'duplicate', 'duplicate']);
    // The first went alone (nothing was in flight); the 42 that arrived meanwhile went together.
    expect(insertMany.mock.calls.map(([documents]) => documents.length)).toEqual([1, 42]);
    expect(await database.collection(name).countDocuments()).toBe(41);
    await database.collection(name).drop();
  });

  it('give each concurrent order-guarded upsert the outcome it has alone, in one command after the first', async () => {
    const users = db().collection<{ clerkId: string; version: number; name: string }>(`group_upsert_${Date.now()}`);
    await users.createIndex({ clerkId: 1 }, { unique: true });
    await users.insertOne({ clerkId: 'user_stored', version: 5, name: 'v5' });
    const bulkWrite = vi.spyOn(Collection.prototype, 'bulkWrite');
    const upsert = (clerkId: string, version: number) =>
      guardedUpsert(users, { clerkId, version: { $lt: version } }, { $set: { version, name: `v${version}` } });

    const [, newer, older, created, createdAgain, three] = await Promise.all([
      upsert('user_first', 1),
      upsert('user_stored', 6),
      upsert('user_stored', 4),
      upsert('user_new', 1),
      upsert('user_new', 1),
      upsert('user_other', 3),
      upsert('user_other', 2),
    ]);

    expect(bulkWrite.mock.calls.map(([operations]) => operations.length)).toEqual([1, 6]);
    expect({ newer, older, three }).toEqual({ newer: 'applied', older: 'stale', three: 'applied' });
    expect([created, createdAgain].sort()).toEqual(['applied', 'stale']);
    const stored = await users
      .find({}, { projection: { _id: 0 } })
      .sort({ clerkId: 1 })
      .toArray();
    expect(stored).toEqual([
      { clerkId: 'user_first', version: 1, name: 'v1' },
      { clerkId: 'user_new', version: 1, name: 'v1' },
      { clerkId: 'user_other', version: 3, name: 'v3' },
      { clerkId: 'user_stored', version: 6, name: 'v6' },
    ]);
    await users.drop();
  });

  it('fail every caller of a batch as "database unavailable" when the server cannot be reached', async () => {
    const unreachable = new MongoClient('mongodb://127.0.0.1:9/', { serverSelectionTimeoutMS: 300 });
    try {
      const ledger = unreachable.db('nowhere').collection('ledger');
      const failures = await Promise.all(
        ['a', 'b', 'c'].map((_id) =>
          insertGrouped(ledger, { _id }).then(
            () => new Error('inserted'),
            (error: unknown) => error,
          ),
        ),
      );
      expect(failures.map(isDatabaseUnavailable)).toEqual([true, true, true]);
    } finally {
      await unreachable.close();
    }
  });
});
