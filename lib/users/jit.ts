import 'server-only';
import { clerkClient } from '@clerk/nextjs/server';
import { beforeDeadline } from '@/lib/deadline';
import { classifyClerkError } from '@/lib/clerk/api-errors';
import { clerkUserJsonSchema, isClerkUserId, profileFromClerkUser } from './clerk-user';
import { upsertUserProfile, type WriteOutcome } from './repository';

/**
 * A page waits for Clerk's Backend API at most this long; past it the user
 * sees the "being set up" state and the webhook (or the next load) catches up.
 */
export const CLERK_FETCH_DEADLINE_MS = 5_000;

export type ClerkSyncResult = WriteOutcome | 'not_in_clerk' | 'clerk_unavailable';

type Fetched = { kind: 'found'; raw: unknown } | { kind: 'not_found' } | { kind: 'failed'; status: number | null };

async function fetchClerkUser(clerkId: string): Promise<Fetched> {
  try {
    const user = await (await clerkClient()).users.getUser(clerkId);
    return { kind: 'found', raw: user.raw };
  } catch (error) {
    const failure = classifyClerkError(error);
    return failure.kind === 'not_found' ? { kind: 'not_found' } : { kind: 'failed', status: failure.status };
  }
}

const TIMED_OUT: Fetched = { kind: 'failed', status: null };

/**
 * Just-in-time sync: fetch the user from Clerk's Backend API and apply it
 * through the same order-guarded upsert webhooks use. A webhook racing this
 * write cannot leave two documents or an older version, and a user deleted
 * here stays deleted ('stale'). Database errors propagate; Clerk failures are
 * a result, never an exception.
 */
export async function syncUserFromClerk(clerkId: string): Promise<ClerkSyncResult> {
  if (!isClerkUserId(clerkId)) return 'not_in_clerk';
  const fetched = await beforeDeadline(fetchClerkUser(clerkId), CLERK_FETCH_DEADLINE_MS, TIMED_OUT);
  if (fetched.kind === 'not_found') return 'not_in_clerk';
  if (fetched.kind === 'failed') {
    console.warn(JSON.stringify({ event: 'clerk_user_fetch_failed', clerkId, status: fetched.status }));
    return 'clerk_unavailable';
  }
  const user = clerkUserJsonSchema.safeParse(fetched.raw);
  if (!user.success) {
    console.warn(JSON.stringify({ event: 'clerk_user_unreadable', clerkId }));
    return 'clerk_unavailable';
  }
  return upsertUserProfile(profileFromClerkUser(user.data), user.data.updated_at);
}
