import type { ClerkUsersApi } from '../clerk/backend-api.js';
import { withClerkRetry, type RetryPolicy } from './retry.js';

/** Clerk's maximum `limit` for GET /v1/users, /v1/organizations and an organization's memberships. */
export const MAX_PAGE_SIZE = 500;

export type ClerkPage = {
  /** The offset this page was requested at. */
  offset: number;
  /** Each item's JSON exactly as Clerk sent it, to be parsed with the engine's own schema. */
  items: unknown[];
  /** Clerk's count when this page was read (for progress; it moves while the listing is read). */
  totalCount: number;
  /** The last page: shorter than the page size. Only after it is the listing complete. */
  last: boolean;
};

/** One page of a Clerk listing, oldest first. */
export type FetchListing = (page: { limit: number; offset: number }) => Promise<{ items: unknown[]; totalCount: number }>;

type ListOptions = { startOffset: number; pageSize: number; retry: RetryPolicy; signal?: AbortSignal };

async function fetchPage(listing: FetchListing, offset: number, { pageSize, retry, signal }: ListOptions): Promise<ClerkPage> {
  const { items, totalCount } = await withClerkRetry(() => listing({ limit: pageSize, offset }), retry, signal);
  return { offset, items, totalCount, last: items.length < pageSize };
}

/**
 * Every item of a Clerk listing from `startOffset` on, a page at a time,
 * oldest first (items created during the run land at the end of the listing
 * instead of shifting every page). The next page is requested while the
 * caller writes the current one, so Clerk's latency and the database's
 * overlap. Offset paging is what Clerk offers; an item deleted in Clerk during
 * the listing shifts later items one place down, so one of them can be
 * skipped (writes stay correct; see reconcile for how that is kept from
 * turning into a wrong tombstone).
 */
export async function* listPages(listing: FetchListing, options: ListOptions): AsyncGenerator<ClerkPage> {
  let offset = options.startOffset;
  let next = fetchPage(listing, offset, options);
  for (;;) {
    const page = await next;
    if (!page.last) {
      next = fetchPage(listing, offset + options.pageSize, options);
      // Awaited on the next turn; until then a failure must not count as unhandled (e.g. when the caller stops early).
      next.catch(() => undefined);
    }
    yield page;
    if (page.last) return;
    offset += options.pageSize;
  }
}

/** Every Clerk user, oldest first. */
export function listUserPages(api: ClerkUsersApi, options: ListOptions): AsyncGenerator<ClerkPage> {
  return listPages(async (page) => {
    const { users, totalCount } = await api.listUsers(page);
    return { items: users, totalCount };
  }, options);
}

/** Every Clerk organization, oldest first. */
export function listOrganizationPages(api: ClerkUsersApi, options: ListOptions): AsyncGenerator<ClerkPage> {
  return listPages(async (page) => {
    const { organizations, totalCount } = await api.listOrganizations(page);
    return { items: organizations, totalCount };
  }, options);
}

/** Every membership of one organization, oldest first. */
export function listMembershipPages(api: ClerkUsersApi, clerkOrgId: string, options: ListOptions): AsyncGenerator<ClerkPage> {
  return listPages(async (page) => {
    const { memberships, totalCount } = await api.listMemberships(clerkOrgId, page);
    return { items: memberships, totalCount };
  }, options);
}
