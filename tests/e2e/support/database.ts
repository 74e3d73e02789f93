/**
 * Access to the app's database during e2e tests, to show that what the
 * browser displays is what MongoDB holds. Read-only, but for `setLastSeen`.
 */
import { DEFAULT_COLLECTIONS, type StoredMembership, type StoredOrganization, type UserDocument } from 'clerk-mongo-sync';
import { MongoClient, type Db } from 'mongodb';
import { ASSESSMENTS_COLLECTION, type AssessmentRecord } from '@/lib/assessments/schema';

/** The database the e2e server points the app at (a fresh server per run, so any name is private to the run). */
export const E2E_DATABASE = 'clerk_mongo_sync_e2e';

async function withDatabase<T>(read: (database: Db) => Promise<T>): Promise<T> {
  const port = process.env.E2E_DB_PORT;
  if (!port) throw new Error('E2E_DB_PORT is not set: run the e2e suite through tests/playwright.config.ts (npm run test:e2e).');
  const client = new MongoClient(`mongodb://127.0.0.1:${port}/`, { serverSelectionTimeoutMS: 5_000 });
  try {
    return await read(client.db(E2E_DATABASE));
  } finally {
    await client.close();
  }
}

export function storedUser(clerkId: string): Promise<UserDocument | null> {
  return withDatabase((database) => database.collection<UserDocument>(DEFAULT_COLLECTIONS.users).findOne({ clerkId }));
}

export function storedOrganization(clerkOrgId: string): Promise<StoredOrganization | null> {
  return withDatabase((database) => database.collection<StoredOrganization>(DEFAULT_COLLECTIONS.organizations).findOne({ clerkOrgId }));
}

export function storedMembership(clerkOrgId: string, clerkUserId: string): Promise<StoredMembership | null> {
  return withDatabase((database) =>
    database.collection<StoredMembership>(DEFAULT_COLLECTIONS.memberships).findOne({ clerkOrgId, clerkUserId }),
  );
}

export function storedAssessments(clerkUserId: string): Promise<AssessmentRecord[]> {
  return withDatabase((database) => database.collection<AssessmentRecord>(ASSESSMENTS_COLLECTION).find({ clerkUserId }).toArray());
}

/**
 * Makes time pass for one user: their last activity moves to `lastSeen`, as
 * if they had been idle since. A test never waits out the presence window.
 */
export async function setLastSeen(clerkId: string, lastSeen: Date): Promise<void> {
  await withDatabase((database) =>
    database.collection<UserDocument>(DEFAULT_COLLECTIONS.users).updateOne({ clerkId }, { $set: { lastSeen } }),
  );
}
