/**
 * The state in-order delivery gives, and the check of a database against it.
 * The expected document is stated from the documented behaviour (the
 * package README, "The users collection"), not computed with the engine's own mapping, so a bug in
 * that mapping cannot hide by being copied into the oracle. Reads the users
 * collection with the plain driver: the harness runs outside the app.
 */
import { isDeepStrictEqual } from 'node:util';
import { DEFAULT_COLLECTIONS } from 'clerk-mongo-sync';
import type { ClerkUserJsonFixture } from 'clerk-mongo-sync/testing';
import type { Db } from 'mongodb';
import type { UserHistory } from './histories';

/** Metadata keys as documented: `%`, `$`, `.` and NUL percent-encoded; values untouched. */
function withStoredKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withStoredKeys);
  if (value === null || typeof value !== 'object') return value;
  const encode = (key: string) => key.replaceAll('%', '%25').replaceAll('$', '%24').replaceAll('.', '%2E').replaceAll('\0', '%00');
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [encode(key), withStoredKeys(item)]));
}

/** The documented document of a live user whose last event carried `user`. */
function documentedUser(user: ClerkUserJsonFixture) {
  return {
    clerkId: user.id,
    version: user.updated_at,
    deletedAt: null as Date | null,
    email: user.email_addresses.find(({ id }) => id === user.primary_email_address_id)?.email_address ?? null,
    emails: user.email_addresses.map(({ email_address }) => email_address),
    username: user.username,
    firstName: user.first_name,
    lastName: user.last_name,
    imageUrl: user.image_url as string | null,
    phone: user.phone_numbers.find(({ id }) => id === user.primary_phone_number_id)?.phone_number ?? null,
    publicMetadata: withStoredKeys(user.public_metadata),
    clerkCreatedAt: new Date(user.created_at) as Date | null,
    clerkUpdatedAt: new Date(user.updated_at) as Date | null,
    lastSignInAt: user.last_sign_in_at === null ? null : new Date(user.last_sign_in_at),
  };
}

type Compared = ReturnType<typeof documentedUser>;

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
    onlineUntil: null,
  };
}

/** What the user's document holds once its whole history arrived in order: its last event decides. */
export function expectedDocument({ userId, events }: UserHistory): Compared {
  const last = events.at(-1);
  if (!last) throw new Error(`empty history for ${userId}`);
  if (last.type !== 'user.deleted') return documentedUser(last.data);
  const { isOnline: _presence, lastSeen: _lastSeen, onlineUntil: _onlineUntil, ...deleted } = tombstone(userId, last.timestamp);
  return deleted;
}

/** The fields in-order delivery determines; the rest (`_id`, createdAt, updatedAt, presence) legitimately differ. */
type ComparedField = keyof Compared;

function pick(document: Record<string, unknown>, fields: readonly ComparedField[]): Record<string, unknown> {
  return Object.fromEntries(fields.map((field) => [field, document[field]]));
}

export type Mismatch = {
  userId: string;
  kind: 'lost' | 'duplicated' | 'resurrected' | 'stale' | 'diverged';
  detail: string;
};

export type StateCheck = { users: number; matched: number; mismatches: Mismatch[]; counts: Record<Mismatch['kind'], number> };

function classify(userId: string, expected: Compared, stored: Record<string, unknown>[]): Mismatch | null {
  if (stored.length === 0) return { userId, kind: 'lost', detail: 'no document' };
  if (stored.length > 1) return { userId, kind: 'duplicated', detail: `${stored.length} documents` };
  const fields = Object.keys(expected) as ComparedField[];
  const actual = pick(stored[0]!, fields);
  if (expected.deletedAt !== null && actual.deletedAt == null) {
    return { userId, kind: 'resurrected', detail: `live at version ${String(actual.version)}, deleted at ${expected.version}` };
  }
  if (Number(actual.version ?? 0) < expected.version) {
    return { userId, kind: 'stale', detail: `version ${String(actual.version)}, expected ${expected.version}` };
  }
  const differing = fields.filter((field) => !isDeepStrictEqual(actual[field], expected[field]));
  if (differing.length === 0) return null;
  const field = differing[0]!;
  return {
    userId,
    kind: 'diverged',
    detail: `${differing.join(', ')} (e.g. ${field}: ${JSON.stringify(actual[field])} ≠ ${JSON.stringify(expected[field])})`,
  };
}

const BATCH = 1_000;

/** Compares every history's user document with the in-order state. */
export async function checkAgainstInOrder(database: Db, histories: UserHistory[]): Promise<StateCheck> {
  const users = database.collection(DEFAULT_COLLECTIONS.users);
  const mismatches: Mismatch[] = [];
  for (let start = 0; start < histories.length; start += BATCH) {
    const batch = histories.slice(start, start + BATCH);
    const found = await users.find({ clerkId: { $in: batch.map(({ userId }) => userId) } }).toArray();
    const byId = new Map<string, Record<string, unknown>[]>();
    for (const user of found) byId.set(String(user.clerkId), [...(byId.get(String(user.clerkId)) ?? []), user]);
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
