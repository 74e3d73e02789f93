/**
 * App instances that start together (a deploy, a burst of cold starts) detect
 * the server's capabilities at the same moment against the same database.
 * Each must find what one instance finds alone: when the probes shared their
 * scratch collections, one instance's probe refused or dropped another's, and
 * every instance concluded that bulk writes report no per-statement results,
 * silently turning the group commit off (found by tests/fault/replica-set.test.ts).
 */
import { MongoClient } from 'mongodb';
import { afterAll, expect, test } from 'vitest';
import { detectCapabilities } from '@/lib/db/capabilities';

const INSTANCES = 4;
const clients = Array.from({ length: INSTANCES + 1 }, () => new MongoClient(process.env.MONGODB_URI!));
afterAll(() => Promise.all(clients.map((client) => client.close())));

test('instances detecting capabilities at once each find what one finds alone, and leave no scratch collection', async () => {
  const [alone, ...together] = clients.map((client) => client.db(process.env.MONGODB_DB));
  const expected = await detectCapabilities(alone!);
  const found = await Promise.all(together.map((database) => detectCapabilities(database)));
  expect(found).toEqual(Array.from({ length: INSTANCES }, () => expected));
  const scratch = await alone!.listCollections({ name: { $regex: '^capability_probe' } }).toArray();
  expect(scratch.map(({ name }) => name)).toEqual([]);
});
