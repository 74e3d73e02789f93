import 'server-only';
import { auth } from '@clerk/nextjs/server';
import { notFound } from 'next/navigation';
import { unlessDatabaseDown } from 'clerk-mongo-sync';
import { clerkSync } from '@/lib/clerk-sync';
import { env } from '@/lib/env';
import { decideAdminAccess, type AdminAccess } from './access';

/**
 * The access decision for a signed-in user. The database is asked only when
 * the env list and the session claims have not already granted access; when
 * it is unreachable, access is refused (fail closed).
 */
export async function adminAccessFor(userId: string, sessionClaims: unknown): Promise<AdminAccess> {
  const evidence = { userId, sessionClaims, adminUserIds: env().ADMIN_USER_IDS };
  const withoutDatabase = decideAdminAccess({ ...evidence, storedUser: null });
  if (withoutDatabase.allowed) return withoutDatabase;
  return unlessDatabaseDown(
    async () => decideAdminAccess({ ...evidence, storedUser: await clerkSync.users.find(userId) }),
    (): AdminAccess => ({ allowed: false }),
  );
}

/**
 * For the admin page and its server actions: the admin's user id, or a 404 for
 * everyone else (the page's existence is not advertised). Checked here, on the
 * server, whatever the middleware did.
 */
export async function requireAdmin(): Promise<{ userId: string }> {
  const { userId, sessionClaims } = await auth();
  if (!userId) notFound();
  const access = await adminAccessFor(userId, sessionClaims);
  if (!access.allowed) notFound();
  return { userId };
}
