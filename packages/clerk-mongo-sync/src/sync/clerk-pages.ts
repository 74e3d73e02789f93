import type { ClerkUsersApi } from '../clerk/backend-api.js';
import { withClerkRetry, type RetryPolicy } from './retry.js';

/** Clerk's maximum `limit` for GET /v1/users. */
export const MAX_PAGE_SIZE = 500;

export type UserPage = {
  /** The offset this page was requested at. */
  offset: number;
  /** Each user's JSON exactly as Clerk sent it, to be parsed with the engine's own schema. */
  users: unknown[];
  /** Clerk's user count when this page was read (for progress; it moves while users sign up). */
  totalCount: number;
  /** The last page: shorter than the page size. Only after it is the listing complete. */
  last: boolean;
};

type ListOptions = { startOffset: number; pageSize: number; retry: RetryPolicy; signal?: AbortSignal };

async function fetchPage(api: ClerkUsersApi, offset: number, { pageSize, retry, signal }: ListOptions): Promise<UserPage> {
  // Oldest first: users who sign up during the run land at the end of the listing instead of shifting every page.
  const { users, totalCount } = await withClerkRetry(() => api.listUsers({ limit: pageSize, offset }), retry, signal);
  return { offset, users, totalCount, last: users.length < pageSize };
}

/**
 * Every user from `startOffset` on, a page at a time, oldest first. The next
 * page is requested while the caller writes the current one, so Clerk's
 * latency and the database's overlap. Offset paging is what Clerk offers; a
 * user deleted in Clerk during the listing shifts later users one place down,
 * so one of them can be skipped (writes stay correct; see reconcile for how
 * that is kept from turning into a wrong tombstone).
 */
export async function* listUserPages(api: ClerkUsersApi, options: ListOptions): AsyncGenerator<UserPage> {
  let offset = options.startOffset;
  let next = fetchPage(api, offset, options);
  for (;;) {
    const page = await next;
    if (!page.last) {
      next = fetchPage(api, offset + options.pageSize, options);
      // Awaited on the next turn; until then a failure must not count as unhandled (e.g. when the caller stops early).
      next.catch(() => undefined);
    }
    yield page;
    if (page.last) return;
    offset += options.pageSize;
  }
}
