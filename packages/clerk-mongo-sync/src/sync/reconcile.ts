import { ClerkRequestFailed } from '../clerk/api-errors.js';
import type { ClerkUsersApi } from '../clerk/backend-api.js';
import type { Store } from '../engine/store.js';
import { isClerkUserId } from '../users/clerk-user.js';
import { guardedTombstone } from '../users/repository.js';
import { withClerkRetry, type RetryPolicy } from './retry.js';
import type { SyncCounts } from './summary.js';
import type { UserBatchWriter } from './user-batch-writer.js';

/**
 * Ids of every user Clerk listed. Reconcile holds them all in memory (≈ 100
 * bytes each: 10 MB for 100,000 users): the set of users Clerk no longer has
 * is only known once the whole listing has been seen. Backfill never builds it.
 */
export class ListedIds {
  private readonly ids = new Set<string>();

  addFrom(rawUsers: unknown[]): void {
    // Taken from the raw JSON, so a user whose JSON the engine cannot read still counts as present in Clerk.
    for (const raw of rawUsers) {
      const id = typeof raw === 'object' && raw !== null && 'id' in raw ? raw.id : undefined;
      if (typeof id === 'string') this.ids.add(id);
    }
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  get size(): number {
    return this.ids.size;
  }
}

type TombstoneOptions = { dryRun: boolean; retry: RetryPolicy; signal?: AbortSignal };

/**
 * After a complete listing: every live user stored here but not listed by
 * Clerk. Each is asked for once more, by id, before anything is written,
 * because offset paging can skip a user (one deleted in Clerk during the
 * listing shifts the rest) and a tombstone is final — no later event can undo
 * a wrong one. Only a 404 tombstones; a user Clerk still has (skipped, or
 * signed up after the listing) is written like any listed user.
 *
 * The tombstone's `deletedAt` and `version` are the time of that 404, as a
 * webhook's `user.deleted` uses its own timestamp: the user was gone by then.
 * It blocks no legitimate event: the deletion is confirmed, Clerk never
 * reuses user ids, and a late `user.deleted` finds the tombstone ('stale').
 */
export async function tombstoneUsersMissingFromClerk(
  store: Store,
  api: ClerkUsersApi,
  listed: ListedIds,
  writer: UserBatchWriter,
  options: TombstoneOptions,
): Promise<Pick<SyncCounts, 'tombstoned' | 'stale'>> {
  const counts = { tombstoned: 0, stale: 0 };
  for (const candidate of await unlistedLiveUsers(store, listed)) {
    options.signal?.throwIfAborted();
    const inClerk = await fetchIfPresent(api, candidate.clerkId, options);
    if (inClerk !== undefined) {
      await writer.write([inClerk]);
      continue;
    }
    if (options.dryRun) {
      counts.tombstoned++;
      continue;
    }
    const deletedAt = new Date();
    const { filter, update } = guardedTombstone(candidate.clerkId, deletedAt.getTime(), deletedAt, deletedAt);
    // By _id too: the document exists, and the guard (`deletedAt: null`) still decides, so a racing delete wins.
    const result = await store.users.updateOne({ ...filter, _id: candidate._id }, update);
    if (result.modifiedCount > 0) counts.tombstoned++;
    else counts.stale++;
  }
  await writer.flush();
  return counts;
}

/** One pass over the stored users; only the unlisted ones are kept. */
async function unlistedLiveUsers(store: Store, listed: ListedIds) {
  const unlisted = [];
  const cursor = store.users.find({ deletedAt: null }, { projection: { _id: 1, clerkId: 1 } });
  // An id that is no Clerk user id never reaches a Backend API URL; such a document is left alone.
  for await (const user of cursor) if (!listed.has(user.clerkId) && isClerkUserId(user.clerkId)) unlisted.push(user);
  return unlisted;
}

/** Clerk's JSON of the user, or undefined when Clerk answers 404. */
async function fetchIfPresent(api: ClerkUsersApi, clerkId: string, options: TombstoneOptions): Promise<unknown> {
  try {
    return await withClerkRetry(() => api.getUser(clerkId), options.retry, options.signal);
  } catch (error) {
    if (error instanceof ClerkRequestFailed && error.failure.kind === 'not_found') return undefined;
    throw error;
  }
}
