/**
 * What `npm run db` reads, as the app reads it: users parsed by the app's
 * schema with metadata keys decoded, and their linked records; the delivery
 * ledger comes from lib/admin/delivery-stats.ts, as the admin page lists it.
 * Read-only: unlike the app's client, it never creates indexes.
 */
import { MongoClient, type Db, type Document } from 'mongodb';
import { assessmentRecordSchema, type AssessmentRecord } from '../../lib/assessments/schema';
import { COLLECTIONS } from '../../lib/db/indexes';
import { decodeKeys } from '../../lib/users/metadata';
import { userDocumentSchema, type UserDocument } from '../../lib/users/schema';

/** A reachable database answers in milliseconds; a look at it should not hang on one that is not. */
const DB_TIMEOUT_MS = 2_000;

/** A stored user as the app shows it, or (when the app's schema refuses it) as stored, with the reason. */
export type UserView = (UserDocument & { unreadable?: undefined }) | (Document & { unreadable: string });

/** Clerk's session record as stored (ids, status, times: no PII). */
export type SessionView = Document;

export type UserWithRecords = { user: UserView; assessments: AssessmentRecord[]; sessions: SessionView[] };

export type Opened = { db: Db; close(): Promise<void> };

/** Connects and pings, so an unreachable database fails here, in one place, within DB_TIMEOUT_MS. */
export async function openDatabase(uri: string, name: string): Promise<Opened> {
  const client = new MongoClient(uri, {
    appName: 'clerk-mongo-sync-db-cli',
    serverSelectionTimeoutMS: DB_TIMEOUT_MS,
    connectTimeoutMS: DB_TIMEOUT_MS,
  });
  try {
    await client.db('admin').command({ ping: 1 });
  } catch (error) {
    await client.close();
    throw error;
  }
  return { db: client.db(name), close: () => client.close() };
}

export const DB_TIMEOUT_SECONDS = DB_TIMEOUT_MS / 1000;

function viewOf(stored: Document): UserView {
  const parsed = userDocumentSchema.safeParse(stored);
  if (parsed.success) return { ...parsed.data, publicMetadata: decodeKeys(parsed.data.publicMetadata) };
  const metadata: unknown = stored.publicMetadata;
  const decoded =
    metadata && typeof metadata === 'object' && !Array.isArray(metadata)
      ? { publicMetadata: decodeKeys(metadata as Record<string, unknown>) }
      : {};
  return { ...stored, ...decoded, unreadable: parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ') };
}

/** Newest Clerk user first; presence-only stubs (no Clerk creation time yet) last. Tombstones included. */
export async function listUsers(db: Db, limit: number | undefined): Promise<UserView[]> {
  const cursor = db.collection(COLLECTIONS.users).find({}).sort({ clerkCreatedAt: -1, createdAt: -1, _id: -1 });
  if (limit !== undefined) cursor.limit(limit);
  return (await cursor.toArray()).map(viewOf);
}

/** One user and what links to it; `null` when no document has that Clerk id. */
export async function findUser(db: Db, clerkId: string): Promise<UserWithRecords | null> {
  const stored = await db.collection(COLLECTIONS.users).findOne({ clerkId });
  if (!stored) return null;
  const [assessments, sessions] = await Promise.all([
    db.collection(COLLECTIONS.assessments).find({ clerkUserId: clerkId }).sort({ createdAt: -1, _id: -1 }).toArray(),
    db
      .collection(COLLECTIONS.sessions)
      .find({ clerkId }, { projection: { _id: 0 } })
      .sort({ updatedAt: -1 })
      .toArray(),
  ]);
  return { user: viewOf(stored), assessments: assessments.map((record) => assessmentRecordSchema.parse(record)), sessions };
}
