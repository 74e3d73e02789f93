import { z } from 'zod';
import type { AppUser } from '@/lib/clerk-sync';

/**
 * Who may open /admin. Three sources, all controlled by the app's operators,
 * never by the user:
 * - `ADMIN_USER_IDS` (env);
 * - `publicMetadata.role === "admin"` in the session token, when the Clerk
 *   instance's session token is customised with
 *   `{"metadata": "{{user.public_metadata}}"}`;
 * - the same role in our synced `users` document (the `role` field the
 *   engine's `mapUser` takes from Clerk's public metadata, written only by
 *   verified webhooks or the Backend API).
 * `unsafe_metadata` is writable by the user from the browser, so it never
 * counts — it is not even stored.
 */
const ADMIN_ROLE = 'admin';

export type AdminAccess = { allowed: true; via: 'admin_user_ids' | 'session_claims' | 'synced_profile' } | { allowed: false };

const roleClaims = z.looseObject({ metadata: z.looseObject({ role: z.unknown() }) });

/** `publicMetadata.role` from session claims customised as above; undefined when the claim is absent. */
function roleFromSessionClaims(claims: unknown): unknown {
  const parsed = roleClaims.safeParse(claims);
  return parsed.success ? parsed.data.metadata.role : undefined;
}

type Evidence = {
  userId: string;
  sessionClaims: unknown;
  /** The user's synced document, when it was looked up. */
  storedUser: Pick<AppUser, 'role' | 'publicMetadata' | 'deletedAt'> | null;
  adminUserIds: readonly string[];
};

export function decideAdminAccess({ userId, sessionClaims, storedUser, adminUserIds }: Evidence): AdminAccess {
  if (adminUserIds.includes(userId)) return { allowed: true, via: 'admin_user_ids' };
  if (roleFromSessionClaims(sessionClaims) === ADMIN_ROLE) return { allowed: true, via: 'session_claims' };
  // A document written before the app mapped `role` has only the metadata until the user's next update.
  const storedRole = storedUser?.role === undefined ? storedUser?.publicMetadata.role : storedUser.role;
  if (storedUser && storedUser.deletedAt === null && storedRole === ADMIN_ROLE) {
    return { allowed: true, via: 'synced_profile' };
  }
  return { allowed: false };
}
