import 'server-only';
import { ObjectId, type Collection, type Db } from 'mongodb';
import { db } from '@/lib/db/client';
import { COLLECTIONS } from '@/lib/db/indexes';
import type { DeletionPolicy } from '@/lib/env/schema';
import { assessmentRecordSchema, type AssessmentRecord } from './schema';

export function assessmentsCollection(database: Db): Collection<AssessmentRecord> {
  return database.collection<AssessmentRecord>(COLLECTIONS.assessments);
}

export type NewAssessmentRecord = Omit<AssessmentRecord, '_id' | 'anonymizedAt'>;

export async function insertAssessment(record: NewAssessmentRecord): Promise<ObjectId> {
  const _id = new ObjectId();
  await assessmentsCollection(await db()).insertOne({ ...record, _id, anonymizedAt: null });
  return _id;
}

/** How many results the dashboard lists. */
const HISTORY_LIMIT = 50;

/** A user's results, newest first (served by the `clerkUserId_createdAt` index). */
export async function listAssessmentsOf(clerkUserId: string, limit = HISTORY_LIMIT): Promise<AssessmentRecord[]> {
  const records = await assessmentsCollection(await db())
    .find({ clerkUserId })
    .sort({ createdAt: -1, _id: -1 })
    .limit(limit)
    .toArray();
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
  const record = await assessmentsCollection(await db()).findOne({ _id: new ObjectId(id), clerkUserId });
  return record && assessmentRecordSchema.parse(record);
}

/** Removes every result of a user; returns how many. Repeating it removes nothing more. */
async function removeAssessmentsOf(clerkUserId: string): Promise<number> {
  const { deletedCount } = await assessmentsCollection(await db()).deleteMany({ clerkUserId });
  return deletedCount;
}

/**
 * Unlinks every result from a user, keeping what the app may keep without
 * them (slug, title, answers, score, date). Returns how many; repeating it
 * matches nothing, so `anonymizedAt` records the first run.
 *
 * One update per record, by `_id` and owner: `clerkUserId` is part of the
 * shard key on a sharded cluster (lib/db/shard-keys.ts), and MongoDB changes
 * a shard key's value only one document at a time, named by its whole key
 * (the record may move to another shard). A run cut short leaves the rest
 * linked, and the retry finds them.
 */
async function anonymizeAssessmentsOf(clerkUserId: string, now = new Date()): Promise<number> {
  const assessments = assessmentsCollection(await db());
  const linked = await assessments.find({ clerkUserId }, { projection: { _id: 1 } }).toArray();
  let anonymized = 0;
  for (const { _id } of linked) {
    const { modifiedCount } = await assessments.updateOne(
      { _id, clerkUserId },
      { $set: { userId: null, clerkUserId: null, anonymizedAt: now } },
    );
    anonymized += modifiedCount;
  }
  return anonymized;
}

/** What a user's deletion does to their results under `policy`: removed, or anonymized. Returns how many changed. */
export function applyDeletionPolicy(clerkUserId: string, policy: DeletionPolicy): Promise<number> {
  return policy === 'anonymize' ? anonymizeAssessmentsOf(clerkUserId) : removeAssessmentsOf(clerkUserId);
}
