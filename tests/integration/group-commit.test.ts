/**
 * Grouped inserts (lib/db/group-commit.ts) against the real database: what
 * concurrent callers send is what the server receives, in as few commands as
 * the round trips allow, and each caller learns what became of its own document.
 */
import { Collection, MongoClient } from 'mongodb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { db } from '@/lib/db/client';
import { isDatabaseUnavailable } from '@/lib/db/errors';
import { collectionIn, insertGrouped } from '@/lib/db/group-commit';
import { guardedUpsert } from '@/lib/db/guarded-upsert';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('grouped inserts', () => {
  it('send concurrent inserts as one command after the first, telling each caller "inserted" or "duplicate"', async () => {
    const database = await db();
    const name = `group_commit_${Date.now()}`;
    await database.collection<{ _id: string }>(name).insertOne({ _id: 'stored-before' });
    const insertMany = vi.spyOn(Collection.prototype, 'insertMany');

    const ids = [...Array.from({ length: 40 }, (_, i) => `doc-${i}`), 'stored-before', 'doc-3', 'doc-7'];
    const results = await Promise.all(ids.map((_id) => insertGrouped(collectionIn(database, name), { _id, at: new Date() })));

    expect(results).toEqual([...Array<string>(40).fill('inserted'), 'duplicate', 'duplicate', 'duplicate']);
    // The first went alone (nothing was in flight); the 42 that arrived meanwhile went together.
    expect(insertMany.mock.calls.map(([documents]) => documents.length)).toEqual([1, 42]);
    expect(await database.collection(name).countDocuments()).toBe(41);
    await database.collection(name).drop();
  });

  it('give each concurrent order-guarded upsert the outcome it has alone, in one command after the first', async () => {
    const database = await db();
    const users = collectionIn<{ clerkId: string; version: number; name: string }>(database, `group_upsert_${Date.now()}`);
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
      const database = unreachable.db('nowhere');
      const failures = await Promise.all(
        ['a', 'b', 'c'].map((_id) =>
          insertGrouped(collectionIn(database, 'ledger'), { _id }).then(
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
