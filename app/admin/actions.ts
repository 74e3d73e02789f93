'use server';

import { redirect } from 'next/navigation';
import { requireAdmin } from '@/lib/admin/authorize';
import { resyncUserFromClerk } from '@/lib/admin/resync';

/**
 * "Re-sync from Clerk" on /admin. A server action is a public endpoint, so it
 * checks admin access itself; the answer comes back as query parameters, so
 * the form works without client JavaScript.
 */
export async function resyncUserAction(formData: FormData): Promise<void> {
  await requireAdmin();
  const userId = String(formData.get('userId') ?? '').trim();
  const result = await resyncUserFromClerk(userId);
  redirect(`/admin?${new URLSearchParams({ resynced: userId, result })}#resync`);
}
