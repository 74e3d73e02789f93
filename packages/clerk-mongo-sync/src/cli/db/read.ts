/**
 * What `db` reads, as the engine reads it: users parsed by the engine's
 * schema with metadata keys decoded, their sessions and the app's own
 * records that link to them, and the delivery ledger, newest first.
 * Read-only: unlike the engine, it never creates indexes.
 */
import { MongoClient, type Db, type Document } from 'mongodb';
import type { CollectionNames } from '../../db/indexes.js';
import { decodeKeys } from '../../users/metadata.js';
import { userDocumentSchema, type UserDocument } from '../../users/schema.js';
import type { DeliveryRecord } from '../../webhooks/delivery-record.js';

/** A reachable database answers in milliseconds; a look at it should not hang on one that is not. */
const DB_TIMEOUT_MS = 2_000;

/** A stored user as the engine reads it, or (when the engine's schema refuses it) as stored, with the reason. */
export type UserView = (UserDocument & { unreadable?: undefined }) | (Document & { unreadable: string });

/** Clerk's session record as stored (ids, status, times: no PII). */
export type SessionView = Document;

/** A collection of the app's own whose `field` holds the user's Clerk id (`assessments.clerkUserId`). */
export type Link = { collection: string; field: string };

/** The user, then each linked collection's records by its name, then the user's sessions. */
export type UserWithRecords = { user: UserView; linked: { link: Link; records: Document[] }[]; sessions: SessionView[] };

export type Opened = { db: Db; close(): Promise<void> };

/** Connects and pings, so an unreachable database fails here, in one place, within DB_TIMEOUT_MS. `name`: MONGODB_DB, else the URI's. */
export async function openDatabase(uri: string, name: string | undefined): Promise<Opened> {
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
export async function listUsers(db: Db, names: CollectionNames, limit: number | undefined): Promise<UserView[]> {
  const cursor = db.collection(names.users).find({}).sort({ clerkCreatedAt: -1, createdAt: -1, _id: -1 });
  if (limit !== undefined) cursor.limit(limit);
  return (await cursor.toArray()).map(viewOf);
}

/** One user and what links to it; `null` when no document has that Clerk id. */
export async function findUser(db: Db, names: CollectionNames, links: readonly Link[], clerkId: string): Promise<UserWithRecords | null> {
  const stored = await db.collection(names.users).findOne({ clerkId });
  if (!stored) return null;
  const [sessions, ...linked] = await Promise.all([
    db
      .collection(names.sessions)
      .find({ clerkId }, { projection: { _id: 0 } })
      .sort({ updatedAt: -1 })
      .toArray(),
    ...links.map((link) =>
      db
        .collection(link.collection)
        .find({ [link.field]: clerkId })
        .sort({ createdAt: -1, _id: -1 })
        .toArray(),
    ),
  ]);
  return { user: viewOf(stored), linked: links.map((link, index) => ({ link, records: linked[index] ?? [] })), sessions };
}

/** The latest ledger entries, newest first (ties by insertion order), as the receiver recorded them. */
export function recentDeliveries(db: Db, names: CollectionNames, limit: number): Promise<DeliveryRecord[]> {
  return db
    .collection<DeliveryRecord>(names.deliveries)
    .find({}, { projection: { _id: 0 } })
    .sort({ receivedAt: -1, _id: -1 })
    .limit(limit)
    .toArray();
}

/** An organization as stored, with how many active memberships it has. */
export type OrganizationView = Document & { activeMembers: number };

/** Newest Clerk organization first; tombstones included. */
export async function listOrganizations(db: Db, names: CollectionNames, limit: number | undefined): Promise<OrganizationView[]> {
  const cursor = db.collection(names.organizations).find({}).sort({ clerkCreatedAt: -1, createdAt: -1, _id: -1 });
  if (limit !== undefined) cursor.limit(limit);
  const organizations = await cursor.toArray();
  const counts = await db
    .collection(names.memberships)
    .aggregate<{ _id: string; active: number }>([
      { $match: { clerkOrgId: { $in: organizations.map(({ clerkOrgId }) => clerkOrgId as string) }, deletedAt: null } },
      { $group: { _id: '$clerkOrgId', active: { $sum: 1 } } },
    ])
    .toArray();
  const active = new Map(counts.map(({ _id, active }) => [_id, active]));
  return organizations.map((organization) => ({
    ...organization,
    publicMetadata: decodeKeys((organization.publicMetadata ?? {}) as Record<string, unknown>),
    activeMembers: active.get(organization.clerkOrgId as string) ?? 0,
  }));
}

/** One organization and its memberships (ended ones included, oldest first); `null` when unknown. */
export async function findOrganization(
  db: Db,
  names: CollectionNames,
  clerkOrgId: string,
): Promise<{ organization: Document; memberships: Document[] } | null> {
  const organization = await db.collection(names.organizations).findOne({ clerkOrgId });
  if (!organization) return null;
  const memberships = await db.collection(names.memberships).find({ clerkOrgId }).sort({ clerkCreatedAt: 1, _id: 1 }).toArray();
  return { organization, memberships };
}
