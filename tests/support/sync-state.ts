/**
 * What the webhook pipeline left in the test database, read with the app's
 * own shared client: the raw user documents and ledger entries.
 */
import { db } from '@/lib/db/client';
import { usersCollection } from '@/lib/users/repository';
import { deliveriesCollection } from '@/lib/webhooks/ledger';

export async function usersWithId(clerkId: string) {
  return usersCollection(await db()).find({ clerkId }).toArray();
}

/** The one raw document for `clerkId` (metadata keys still encoded); fails if there are several. */
export async function storedUser(clerkId: string) {
  const found = await usersWithId(clerkId);
  if (found.length > 1) throw new Error(`${found.length} documents for ${clerkId}`);
  return found[0] ?? null;
}

export async function ledgerEntry(svixId: string) {
  return deliveriesCollection(await db()).findOne({ svixId }, { projection: { _id: 0 } });
}

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
