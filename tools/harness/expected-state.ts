/**
 * The state in-order delivery gives, computed with the app's own mapping
 * (profileFromClerkUser), and the check of a database against it. Reads the
 * users collection with the plain driver: the harness runs outside the app.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Db } from 'mongodb';
import { COLLECTIONS } from '../../lib/db/indexes';
import { clerkUserJsonSchema, profileFromClerkUser } from '../../lib/users/clerk-user';
import { PROFILE_FIELDS, type UserDocument } from '../../lib/users/schema';
import type { UserHistory } from './histories';

/** The fields in-order delivery determines; the rest (`_id`, createdAt, updatedAt, presence) legitimately differ. */
const COMPARED_FIELDS = ['clerkId', 'version', 'deletedAt', ...PROFILE_FIELDS] as const;
type Compared = Pick<UserDocument, (typeof COMPARED_FIELDS)[number]>;

/** A deleted user's document: identity, deletion time and version kept, everything else empty. */
export function tombstone(clerkId: string, deletedAt: number) {
  return {
    clerkId,
    deletedAt: new Date(deletedAt),
    version: deletedAt,
    email: null,
    emails: [],
    username: null,
    firstName: null,
    lastName: null,
    imageUrl: null,
    phone: null,
    publicMetadata: {},
    clerkCreatedAt: null,
    clerkUpdatedAt: null,
    lastSignInAt: null,
    isOnline: false,
    lastSeen: null,
  };
}

/** What the user's document holds once its whole history arrived in order: its last event decides. */
export function expectedDocument({ userId, events }: UserHistory): Compared {
  const last = events.at(-1);
  if (!last) throw new Error(`empty history for ${userId}`);
  if (last.type === 'user.deleted') return pick(tombstone(userId, last.timestamp));
  const user = clerkUserJsonSchema.parse(last.data);
  return { ...profileFromClerkUser(user), version: user.updated_at, deletedAt: null };
}

function pick(document: Partial<Compared>): Compared {
  return Object.fromEntries(COMPARED_FIELDS.map((field) => [field, document[field]])) as Compared;
}

export type Mismatch = {
  userId: string;
  kind: 'lost' | 'duplicated' | 'resurrected' | 'stale' | 'diverged';
  detail: string;
};

export type StateCheck = { users: number; matched: number; mismatches: Mismatch[]; counts: Record<Mismatch['kind'], number> };

function classify(userId: string, expected: Compared, stored: Partial<UserDocument>[]): Mismatch | null {
  if (stored.length === 0) return { userId, kind: 'lost', detail: 'no document' };
  if (stored.length > 1) return { userId, kind: 'duplicated', detail: `${stored.length} documents` };
  const actual = pick(stored[0]!);
  if (expected.deletedAt !== null && actual.deletedAt == null) {
    return { userId, kind: 'resurrected', detail: `live at version ${actual.version}, deleted at ${expected.version}` };
  }
  if ((actual.version ?? 0) < expected.version) {
    return { userId, kind: 'stale', detail: `version ${actual.version}, expected ${expected.version}` };
  }
  const differing = COMPARED_FIELDS.filter((field) => !isDeepStrictEqual(actual[field], expected[field]));
  if (differing.length === 0) return null;
  const field = differing[0]!;
  return { userId, kind: 'diverged', detail: `${differing.join(', ')} (e.g. ${field}: ${JSON.stringify(actual[field])} ≠ ${JSON.stringify(expected[field])})` };
}

const BATCH = 1_000;

/** Compares every history's user document with the in-order state. */
export async function checkAgainstInOrder(database: Db, histories: UserHistory[]): Promise<StateCheck> {
  const users = database.collection<UserDocument>(COLLECTIONS.users);
  const mismatches: Mismatch[] = [];
  for (let start = 0; start < histories.length; start += BATCH) {
    const batch = histories.slice(start, start + BATCH);
    const found = await users.find({ clerkId: { $in: batch.map(({ userId }) => userId) } }).toArray();
    const byId = new Map<string, UserDocument[]>();
    for (const user of found) byId.set(user.clerkId, [...(byId.get(user.clerkId) ?? []), user]);
    for (const history of batch) {
      const mismatch = classify(history.userId, expectedDocument(history), byId.get(history.userId) ?? []);
      if (mismatch) mismatches.push(mismatch);
    }
  }
  const counts = { lost: 0, duplicated: 0, resurrected: 0, stale: 0, diverged: 0 };
  for (const { kind } of mismatches) counts[kind]++;
  return { users: histories.length, matched: histories.length - mismatches.length, mismatches, counts };
}

export function describeCheck(check: StateCheck): string {
  const { lost, duplicated, resurrected, stale, diverged } = check.counts;
  return `${check.matched}/${check.users} users as in-order delivery leaves them; lost ${lost}, duplicated ${duplicated}, resurrected ${resurrected}, stale ${stale}, diverged ${diverged}`;
}
