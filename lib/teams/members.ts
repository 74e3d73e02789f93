/**
 * How /team names and orders an organization's members. Pure: the loader
 * (team.ts) reads memberships and users; this decides what the page shows.
 */
import { ORG_ADMIN_ROLE } from './access';

export type MemberProfile = {
  firstName: string | null;
  lastName: string | null;
  username: string | null;
};

/**
 * A member's name from their users document. `null` profile: the membership
 * arrived before the user's own webhook (the engine made a version-0 stub),
 * or the user is gone (a former member's result).
 */
export function memberName(profile: MemberProfile | null, fallback: string): string {
  if (!profile) return fallback;
  return [profile.firstName, profile.lastName].filter(Boolean).join(' ') || profile.username || fallback;
}

/** A role as people read it: Clerk's `role_name` when it has one ("Admin"), else the key without `org:` ("member"). */
export function roleLabel({ role, roleName }: { role: string; roleName?: string | null }): string {
  return roleName || role.replace(/^org:/, '');
}

/** Admins first, then by name (as people read it, case- and accent-insensitive), then by Clerk id for a stable order. */
export function byRoleThenName<T extends { role: string; name: string; clerkUserId: string }>(a: T, b: T): number {
  const admin = Number(b.role === ORG_ADMIN_ROLE) - Number(a.role === ORG_ADMIN_ROLE);
  return admin || a.name.localeCompare(b.name, 'en', { sensitivity: 'base' }) || a.clerkUserId.localeCompare(b.clerkUserId);
}
