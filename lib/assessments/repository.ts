import 'server-only';
import { shardCollections, type ShardKey } from 'clerk-mongo-sync';
import { ObjectId, type Collection, type Db, type IndexDescription } from 'mongodb';
import { db } from '@/lib/db/client';
import type { DeletionPolicy } from '@/lib/env/schema';
import { ASSESSMENTS_COLLECTION, assessmentRecordSchema, type AssessmentRecord } from './schema';

/**
 * Sharded, the collection's key is `{ clerkUserId: 'hashed', _id: 1 }`: every
 * write is one user's (it carries `clerkUserId`) and so goes to one shard,
 * as do a user's own reads. An organization's results span its members, so
 * the team read asks every shard (scatter-gather) by design: it is an
 * admin's page view, served on each shard by `clerkOrgId_createdAt`. None
 * of these indexes is unique, so none needs the shard key as its prefix.
 */
export const ASSESSMENT_INDEXES: IndexDescription[] = [
  // A user's history, newest first; the owner check; the deletion policy's match; a member's own team results.
  { key: { clerkUserId: 1, createdAt: -1 }, name: 'clerkUserId_createdAt' },
  // Joins from the user's document (`$lookup` by its _id).
  { key: { userId: 1 }, name: 'userId' },
  // An organization's results, newest first (its admins' team view). Personal results (null) are left out: `$gt: ''`
  // matches strings only, and the planner sees that an equality on an org id implies it (it would not see it for $type).
  {
    key: { clerkOrgId: 1, createdAt: -1 },
    name: 'clerkOrgId_createdAt',
    partialFilterExpression: { clerkOrgId: { $gt: '' } },
  },
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

type OrganizationLink = Pick<AssessmentRecord, 'organizationId' | 'clerkOrgId'>;

/** A new result; a personal one leaves out the organization (stored as null, so every record has the fields). */
export type NewAssessmentRecord = Omit<AssessmentRecord, '_id' | 'anonymizedAt' | keyof OrganizationLink> & {
  organization?: { organizationId: ObjectId; clerkOrgId: string } | null;
};

export async function insertAssessment({ organization, ...record }: NewAssessmentRecord): Promise<ObjectId> {
  const _id = new ObjectId();
  const link: OrganizationLink = { organizationId: organization?.organizationId ?? null, clerkOrgId: organization?.clerkOrgId ?? null };
  await (await assessments()).insertOne({ ...record, ...link, _id, anonymizedAt: null });
  return _id;
}

/** How many results the dashboard lists. */
const HISTORY_LIMIT = 50;

/** A user's results, newest first (served by the `clerkUserId_createdAt` index). */
export async function listAssessmentsOf(clerkUserId: string, limit = HISTORY_LIMIT): Promise<AssessmentRecord[]> {
  const records = await (await assessments()).find({ clerkUserId }).sort({ createdAt: -1, _id: -1 }).limit(limit).toArray();
  return records.map((record) => assessmentRecordSchema.parse(record));
}

/** How many of an organization's results the team page lists. */
const TEAM_RESULTS_LIMIT = 100;

/**
 * An organization's results by every member, newest first: for its admins
 * only (the caller authorizes). Served by `clerkOrgId_createdAt`; sharded,
 * a scatter-gather over every shard (see ASSESSMENT_INDEXES).
 */
export async function listTeamAssessments(clerkOrgId: string, limit = TEAM_RESULTS_LIMIT): Promise<AssessmentRecord[]> {
  const records = await (await assessments()).find({ clerkOrgId }).sort({ createdAt: -1, _id: -1 }).limit(limit).toArray();
  return records.map((record) => assessmentRecordSchema.parse(record));
}

/** One member's results for an organization, newest first: what a member who is not an admin sees of the team's. */
export async function listOwnTeamAssessments(
  clerkUserId: string,
  clerkOrgId: string,
  limit = TEAM_RESULTS_LIMIT,
): Promise<AssessmentRecord[]> {
  const records = await (await assessments()).find({ clerkUserId, clerkOrgId }).sort({ createdAt: -1, _id: -1 }).limit(limit).toArray();
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

/** Removes one result of a user, by its whole shard key (owner and `_id`). */
export async function removeAssessment(clerkUserId: string, id: ObjectId): Promise<void> {
  await (await assessments()).deleteOne({ _id: id, clerkUserId });
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
