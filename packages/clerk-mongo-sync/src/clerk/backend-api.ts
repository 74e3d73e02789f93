import { ClerkApiResponseError } from './api-errors.js';

/**
 * The few calls of Clerk's Backend API the engine makes, as a small `fetch`
 * client (no SDK in the core): one user by id, the user listing, one
 * organization by id, one user's membership of it, and the organization and
 * membership listings (backfill). Each
 * answer is Clerk's JSON as sent, parsed later by the engine's own schema.
 * Failures are `ClerkApiResponseError`s (status, Retry-After) or the network's
 * own errors, classified in api-errors.ts.
 */
export type ClerkUsersApi = {
  /** `GET /v1/users/:id`: the user's JSON. */
  getUser(clerkId: string): Promise<unknown>;
  /** `GET /v1/users`, oldest first, and Clerk's user count (for progress). */
  listUsers(page: { limit: number; offset: number }): Promise<{ users: unknown[]; totalCount: number }>;
  /** `GET /v1/organizations/:id`: the organization's JSON. */
  getOrganization(clerkOrgId: string): Promise<unknown>;
  /** `GET /v1/organizations/:id/memberships?user_id=…`: that user's membership JSON; a 404 error when there is none. */
  getMembership(clerkOrgId: string, clerkUserId: string): Promise<unknown>;
  /** `GET /v1/organizations`, oldest first, and Clerk's organization count (for progress). */
  listOrganizations(page: { limit: number; offset: number }): Promise<{ organizations: unknown[]; totalCount: number }>;
  /** `GET /v1/organizations/:id/memberships`, oldest first, and the organization's membership count. */
  listMemberships(clerkOrgId: string, page: { limit: number; offset: number }): Promise<{ memberships: unknown[]; totalCount: number }>;
};

export type ClerkApiSettings = {
  /** `sk_test_…`/`sk_live_…`. */
  secretKey: string;
  /** Default `https://api.clerk.com`. */
  apiUrl?: string | undefined;
};

export const DEFAULT_CLERK_API_URL = 'https://api.clerk.com';

/** One request never waits longer: a hung connection becomes a retryable failure, not a stuck run. */
const REQUEST_TIMEOUT_MS = 30_000;

export function clerkUsersApi({ secretKey, apiUrl }: ClerkApiSettings): ClerkUsersApi {
  const base = (apiUrl?.trim() || DEFAULT_CLERK_API_URL).replace(/\/+$/, '');

  async function get(path: string): Promise<unknown> {
    const response = await fetch(`${base}${path}`, {
      headers: { authorization: `Bearer ${secretKey}`, accept: 'application/json' },
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    if (!response.ok) {
      await response.body?.cancel();
      const retryAfter = Number(response.headers.get('retry-after'));
      throw new ClerkApiResponseError(response.status, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined);
    }
    return response.json();
  }

  return {
    getUser: (clerkId) => get(`/v1/users/${encodeURIComponent(clerkId)}`),
    async listUsers({ limit, offset }) {
      const query = new URLSearchParams({ limit: String(limit), offset: String(offset), order_by: '+created_at' });
      // As Clerk's SDK does: the listing and the count side by side, the count for progress only.
      const [users, count] = await Promise.all([get(`/v1/users?${query}`), get('/v1/users/count')]);
      return { users: Array.isArray(users) ? users : [], totalCount: totalCountOf(count) };
    },
    getOrganization: (clerkOrgId) => get(`/v1/organizations/${encodeURIComponent(clerkOrgId)}`),
    async getMembership(clerkOrgId, clerkUserId) {
      const query = new URLSearchParams({ user_id: clerkUserId, limit: '1' });
      const answer = await get(`/v1/organizations/${encodeURIComponent(clerkOrgId)}/memberships?${query}`);
      const membership = dataOf(answer)[0];
      // No membership is Clerk's 404 for the pair, as one missing user is for `getUser`.
      if (membership === undefined) throw new ClerkApiResponseError(404, undefined);
      return membership;
    },
    async listOrganizations({ limit, offset }) {
      const query = new URLSearchParams({ limit: String(limit), offset: String(offset), order_by: '+created_at' });
      const answer = await get(`/v1/organizations?${query}`);
      return { organizations: dataOf(answer), totalCount: totalCountOf(answer) };
    },
    async listMemberships(clerkOrgId, { limit, offset }) {
      const query = new URLSearchParams({ limit: String(limit), offset: String(offset), order_by: '+created_at' });
      const answer = await get(`/v1/organizations/${encodeURIComponent(clerkOrgId)}/memberships?${query}`);
      return { memberships: dataOf(answer), totalCount: totalCountOf(answer) };
    },
  };
}

/** The `data` of Clerk's paginated answer (`{ data, total_count }`). */
function dataOf(answer: unknown): unknown[] {
  const data = typeof answer === 'object' && answer !== null && 'data' in answer ? answer.data : undefined;
  return Array.isArray(data) ? data : [];
}

function totalCountOf(answer: unknown): number {
  const count = typeof answer === 'object' && answer !== null && 'total_count' in answer ? answer.total_count : undefined;
  return typeof count === 'number' ? count : 0;
}
