import { classifyClerkError } from '../clerk/api-errors.js';
import { beforeDeadline } from '../deadline.js';
import { logEvent, type Log } from '../engine/log.js';
import type { Store } from '../engine/store.js';
import { clerkUserJsonSchema, isClerkUserId, type ClerkUserJson } from './clerk-user.js';
import { upsertUserProfile, type UserFields, type WriteOutcome } from './repository.js';

/**
 * A page waits for Clerk's Backend API at most this long; past it the user
 * sees the "being set up" state and the webhook (or the next load) catches up.
 */
export const CLERK_FETCH_DEADLINE_MS = 5_000;

export type ClerkSyncResult = WriteOutcome | 'not_in_clerk' | 'clerk_unavailable';

/**
 * Fetches one user's JSON from Clerk's Backend API (`GET /v1/users/:id`). A
 * failure rejects with an error that carries Clerk's HTTP `status` (404: no
 * such user), as Clerk's SDK and the engine's own client do; one without a
 * status counts as a network failure.
 */
export type FetchClerkUser = (clerkId: string) => Promise<unknown>;

/** What just-in-time sync needs from the engine. */
export type JitTarget = {
  store: () => Promise<Store>;
  userFieldsOf: (user: ClerkUserJson) => UserFields;
  log: Log;
};

/** One Backend API answer as just-in-time sync reads it: found, Clerk's 404, or a failure. */
export type Fetched = { kind: 'found'; raw: unknown } | { kind: 'not_found' } | { kind: 'failed'; status: number | null };

const TIMED_OUT: Fetched = { kind: 'failed', status: null };

/** One Backend API call, its failure a value, and never waiting past the page's deadline. */
export function fetchFromClerk(fetch: () => Promise<unknown>): Promise<Fetched> {
  const fetched = (async (): Promise<Fetched> => {
    try {
      return { kind: 'found', raw: await fetch() };
    } catch (error) {
      const failure = classifyClerkError(error);
      return failure.kind === 'not_found' ? { kind: 'not_found' } : { kind: 'failed', status: failure.status };
    }
  })();
  return beforeDeadline(fetched, CLERK_FETCH_DEADLINE_MS, TIMED_OUT);
}

/**
 * Just-in-time sync: fetch the user from Clerk's Backend API and apply it
 * through the same order-guarded upsert webhooks use. A webhook racing this
 * write cannot leave two documents or an older version, and a user deleted
 * here stays deleted ('stale'). Database errors propagate; Clerk failures are
 * a result, never an exception.
 */
export async function syncUserFromClerk(target: JitTarget, fetchUser: FetchClerkUser, clerkId: string): Promise<ClerkSyncResult> {
  if (!isClerkUserId(clerkId)) return 'not_in_clerk';
  const fetched = await fetchFromClerk(() => fetchUser(clerkId));
  if (fetched.kind === 'not_found') return 'not_in_clerk';
  if (fetched.kind === 'failed') {
    logEvent(target.log, 'warn', 'clerk_user_fetch_failed', { clerkId, status: fetched.status });
    return 'clerk_unavailable';
  }
  const user = clerkUserJsonSchema.safeParse(fetched.raw);
  if (!user.success) {
    logEvent(target.log, 'warn', 'clerk_user_unreadable', { clerkId });
    return 'clerk_unavailable';
  }
  return upsertUserProfile(await target.store(), target.userFieldsOf(user.data), user.data.updated_at);
}
