import 'server-only';
import { shardCollections, type ShardKey } from 'clerk-mongo-sync';
import { ObjectId, type Collection, type Db, type IndexDescription } from 'mongodb';
import { db } from '@/lib/db/client';
import type { DeletionPolicy } from '@/lib/env/schema';
import { ASSESSMENTS_COLLECTION, assessmentRecordSchema, type AssessmentRecord } from './schema';

export const ASSESSMENT_INDEXES: IndexDescription[] = [
  // A user's history, newest first; the owner check; the deletion policy's match.
  { key: { clerkUserId: 1, createdAt: -1 }, name: 'clerkUserId_createdAt' },
  // Joins from the user's document (`$lookup` by its _id).
  { key: { userId: 1 }, name: 'userId' },
];

/**
 * Where the records live on a sharded cluster (docs/operations.md, "On a sharded cluster"): with their owner,
 * as the engine keeps its users; `_id` after it because anonymizing sets clerkUserId to null, and the records
 * of every deleted user then share that one value: `_id` lets their chunk still split and move.
 */
export const ASSESSMENTS_SHARD_KEY: ShardKey = { clerkUserId: 'hashed', _id: 1 };

/** Indexes made (and, on a sharded cluster, the shard key) once per process and database, on first use; a failed attempt is forgotten. */
const indexed = new WeakMap<Db, Promise<unknown>>();

async function setUp(database: Db, collection: Collection<AssessmentRecord>): Promise<void> {
  await collection.createIndexes(ASSESSMENT_INDEXES);
  await shardCollections(database, { [ASSESSMENTS_COLLECTION]: ASSESSMENTS_SHARD_KEY });
}

function withIndexes(database: Db, collection: Collection<AssessmentRecord>): Promise<unknown> {
  let made = indexed.get(database);
  if (!made) {
    made = setUp(database, collection);
    made.catch(() => indexed.delete(database));
    indexed.set(database, made);
  }
  return made;
}

export function assessmentsCollection(database: Db): Collection<AssessmentRecord> {
  return database.collection<AssessmentRecord>(ASSESSMENTS_COLLECTION);
}

/** The collection on the app's database, its indexes ensured. */
async function assessments(): Promise<Collection<AssessmentRecord>> {
  const database = await db();
  const collection = assessmentsCollection(database);
  await withIndexes(database, collection);
  return collection;
}

export type NewAssessmentRecord = Omit<AssessmentRecord, '_id' | 'anonymizedAt'>;

export async function insertAssessment(record: NewAssessmentRecord): Promise<ObjectId> {
  const _id = new ObjectId();
  await (await assessments()).insertOne({ ...record, _id, anonymizedAt: null });
  return _id;
}

/** How many results the dashboard lists. */
const HISTORY_LIMIT = 50;

/** A user's results, newest first (served by the `clerkUserId_createdAt` index). */
export async function listAssessmentsOf(clerkUserId: string, limit = HISTORY_LIMIT): Promise<AssessmentRecord[]> {
  const records = await (await assessments()).find({ clerkUserId }).sort({ createdAt: -1, _id: -1 }).limit(limit).toArray();
  return records.map((record) => assessmentRecordSchema.parse(record));
}

/** `ObjectId.isValid` also accepts any 12-character string; a URL segment must be the 24-hex form. */
const OBJECT_ID_HEX = /^[0-9a-f]{24}$/i;

/**
 * One result, only if `clerkUserId` owns it. A malformed id and someone
 * else's id both give null, so the page cannot tell "not yours" from "no such
 * record" (and neither can anyone probing ids).
 */
export async function findOwnAssessment(clerkUserId: string, id: string): Promise<AssessmentRecord | null> {
  if (!OBJECT_ID_HEX.test(id)) return null;
  const record = await (await assessments()).findOne({ _id: new ObjectId(id), clerkUserId });
  return record && assessmentRecordSchema.parse(record);
}

/** Removes every result of a user; returns how many. Repeating it removes nothing more. */
async function removeAssessmentsOf(clerkUserId: string): Promise<number> {
  const { deletedCount } = await (await assessments()).deleteMany({ clerkUserId });
  return deletedCount;
}

/**
 * Unlinks every result from a user, keeping what the app may keep without
 * them (slug, title, answers, score, date). Returns how many; repeating it
 * matches nothing, so `anonymizedAt` records the first run.
 *
 * One update per record, by `_id` and owner: `clerkUserId` is part of the
 * shard key on a sharded cluster (ASSESSMENTS_SHARD_KEY), and MongoDB changes
 * a shard key's value only one document at a time, named by its whole key
 * (the record may move to another shard). A run cut short leaves the rest
 * linked, and the retry finds them.
 */
async function anonymizeAssessmentsOf(clerkUserId: string, now = new Date()): Promise<number> {
  const collection = await assessments();
  const linked = await collection.find({ clerkUserId }, { projection: { _id: 1 } }).toArray();
  let anonymized = 0;
  for (const { _id } of linked) {
    const { modifiedCount } = await collection.updateOne(
      { _id, clerkUserId },
      { $set: { userId: null, clerkUserId: null, anonymizedAt: now } },
    );
    anonymized += modifiedCount;
  }
  return anonymized;
}

/**
 * What a user's deletion does to their results under `policy`: removed, or
 * anonymized. Returns how many changed. The engine's `onUserDeleted` hook
 * (lib/clerk-sync.ts) on every `user.deleted` delivery: each step matches only
 * what is still linked to the user, so a repeat is a no-op and a run cut
 * short by an outage is finished by Svix's retry.
 */
export function applyDeletionPolicy(clerkUserId: string, policy: DeletionPolicy): Promise<number> {
  return policy === 'anonymize' ? anonymizeAssessmentsOf(clerkUserId) : removeAssessmentsOf(clerkUserId);
}
