/**
 * What the webhook pipeline left in the test database, read with the test's
 * own client: the raw user documents and ledger entries.
 */
import { DEFAULT_COLLECTIONS } from '../../src/db/indexes.js';
import { database } from './engine.js';

/** Shared with the delivery harness, which checks whole databases against in-order delivery. */
export { tombstone } from '../../../../tools/harness/expected-state.js';

export async function usersWithId(clerkId: string) {
  return database().collection(DEFAULT_COLLECTIONS.users).find({ clerkId }).toArray();
}

/** The one raw document for `clerkId` (metadata keys still encoded); fails if there are several. */
export async function storedUser(clerkId: string) {
  const found = await usersWithId(clerkId);
  if (found.length > 1) throw new Error(`${found.length} documents for ${clerkId}`);
  return found[0] ?? null;
}

export async function ledgerEntry(svixId: string) {
  return database()
    .collection(DEFAULT_COLLECTIONS.deliveries)
    .findOne({ svixId }, { projection: { _id: 0 } });
}

/** The one raw organization document for `clerkOrgId`; fails if there are several. */
export async function storedOrganization(clerkOrgId: string) {
  const found = await database().collection(DEFAULT_COLLECTIONS.organizations).find({ clerkOrgId }).toArray();
  if (found.length > 1) throw new Error(`${found.length} documents for ${clerkOrgId}`);
  return found[0] ?? null;
}

/** The one raw membership document of the pair; fails if there are several. */
export async function storedMembership(clerkOrgId: string, clerkUserId: string) {
  const found = await database().collection(DEFAULT_COLLECTIONS.memberships).find({ clerkOrgId, clerkUserId }).toArray();
  if (found.length > 1) throw new Error(`${found.length} memberships for ${clerkOrgId}/${clerkUserId}`);
  return found[0] ?? null;
}
