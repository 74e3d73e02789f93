/**
 * What the webhook pipeline left in the test database, read through the app's
 * engine (lib/clerk-sync.ts): the raw user documents and ledger entries.
 */
import { clerkSync } from '@/lib/clerk-sync';

/** Shared with the delivery harness, which checks whole databases against in-order delivery. */
export { tombstone } from '../../tools/harness/expected-state';

export async function usersWithId(clerkId: string) {
  return (await clerkSync.users.collection()).find({ clerkId }).toArray();
}

/** The one raw document for `clerkId` (metadata keys still encoded); fails if there are several. */
export async function storedUser(clerkId: string) {
  const found = await usersWithId(clerkId);
  if (found.length > 1) throw new Error(`${found.length} documents for ${clerkId}`);
  return found[0] ?? null;
}

export async function ledgerEntry(svixId: string) {
  return (await clerkSync.deliveries.collection()).findOne({ svixId }, { projection: { _id: 0 } });
}
