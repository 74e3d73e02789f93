import 'server-only';
import { clerkClient } from '@clerk/nextjs/server';
import { isClerkAPIResponseError } from '@clerk/nextjs/errors';
import { isDatabaseUnavailable } from '@/lib/db/errors';
import { clerkUserJsonSchema, profileFromClerkUser } from '@/lib/users/clerk-user';
import { upsertUserProfile } from '@/lib/users/repository';

/** What a re-sync did, and how the admin page says it. */
export const RESYNC_MESSAGES = {
  synced: { ok: true, text: 'synced from Clerk: the stored profile now matches Clerk’s.' },
  unchanged: { ok: true, text: 'already up to date (or deleted here: deletes are final, a re-sync never brings a user back).' },
  not_in_clerk: { ok: false, text: 'Clerk has no such user.' },
  clerk_unavailable: { ok: false, text: 'Clerk’s Backend API did not answer usably (check CLERK_SECRET_KEY); nothing was changed.' },
  database_unavailable: { ok: false, text: 'the database is unavailable; nothing was changed. Try again shortly.' },
  invalid_id: { ok: false, text: 'not a Clerk user id (user_…).' },
} as const satisfies Record<string, { ok: boolean; text: string }>;

export type ResyncResult = keyof typeof RESYNC_MESSAGES;

export function isResyncResult(value: string): value is ResyncResult {
  return Object.hasOwn(RESYNC_MESSAGES, value);
}

/** The last re-sync's result, passed back in the query string by the server action's redirect; ignored unless well-formed. */
export function lastResyncFrom(params: Record<string, string | string[] | undefined>): { userId: string; result: ResyncResult } | undefined {
  const { resynced, result } = params;
  if (typeof resynced !== 'string' || typeof result !== 'string' || !isResyncResult(result)) return undefined;
  return { userId: resynced, result };
}

const CLERK_USER_ID = /^user_[A-Za-z0-9_]{1,100}$/;

/**
 * The just-in-time sync path, forced: fetch the user from Clerk's Backend API
 * and apply it through the same order-guarded upsert webhooks use, so a
 * re-sync racing a webhook can never leave an older version behind.
 */
export async function resyncUserFromClerk(userId: string): Promise<ResyncResult> {
  if (!CLERK_USER_ID.test(userId)) return 'invalid_id';

  let raw: unknown;
  try {
    raw = (await (await clerkClient()).users.getUser(userId)).raw;
  } catch (error) {
    if (isClerkAPIResponseError(error) && error.status === 404) return 'not_in_clerk';
    console.warn(JSON.stringify({ event: 'admin_resync_clerk_failed', status: isClerkAPIResponseError(error) ? error.status : null }));
    return 'clerk_unavailable';
  }
  const user = clerkUserJsonSchema.safeParse(raw);
  if (!user.success) return 'clerk_unavailable';

  try {
    const outcome = await upsertUserProfile(profileFromClerkUser(user.data), user.data.updated_at);
    return outcome === 'applied' ? 'synced' : 'unchanged';
  } catch (error) {
    if (isDatabaseUnavailable(error)) return 'database_unavailable';
    throw error;
  }
}
