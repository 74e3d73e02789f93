import 'server-only';
import { isDatabaseUnavailable } from '@/lib/db/errors';
import { findUserByClerkId } from './repository';
import { hasProfile, type UserDocument } from './schema';

export type DashboardUser =
  | { state: 'ready'; user: UserDocument }
  | { state: 'pending' }
  | { state: 'deleted' }
  | { state: 'unavailable' };

/**
 * The signed-in user's document as the dashboard shows it. Never throws for
 * the expected cases: a user whose webhook has not arrived yet is "pending",
 * a database outage is "unavailable".
 */
export async function loadDashboardUser(clerkId: string): Promise<DashboardUser> {
  try {
    const user = await findUserByClerkId(clerkId);
    if (user?.deletedAt) return { state: 'deleted' };
    if (!user || !hasProfile(user)) return { state: 'pending' };
    return { state: 'ready', user };
  } catch (error) {
    if (isDatabaseUnavailable(error)) return { state: 'unavailable' };
    throw error;
  }
}
