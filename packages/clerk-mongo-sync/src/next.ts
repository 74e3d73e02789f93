/**
 * clerk-mongo-sync/next: the engine in a Next.js App Router app. Server only:
 * importing it from a Client Component fails the build (`server-only`, which
 * Next resolves itself).
 *
 * ```ts
 * // app/api/webhooks/clerk/route.ts
 * export const { POST, GET, PUT, PATCH, DELETE, OPTIONS } = clerkWebhookRoute(clerkSync);
 * ```
 */
import 'server-only';
import { createClerkSync, type ClerkSync } from './engine/create.js';
import type { ClerkSyncOptions } from './engine/options.js';
import type { CurrentOrganization } from './organizations/current-organization.js';
import type { FetchClerkMembership, FetchClerkOrganization } from './organizations/jit.js';
import type { CurrentUser } from './users/current-user.js';
import type { FetchClerkUser } from './users/jit.js';
import type { AppFields } from './users/schema.js';

/** The route's handlers: POST receives deliveries, every other method is answered 405. */
export type ClerkWebhookRoute = {
  POST: (request: Request) => Promise<Response>;
  GET: () => Response;
  PUT: () => Response;
  PATCH: () => Response;
  DELETE: () => Response;
  OPTIONS: () => Response;
};

function engineOf<Fields extends AppFields>(syncOrOptions: ClerkSync<Fields> | ClerkSyncOptions<Fields>): ClerkSync<Fields> {
  return 'handleWebhook' in syncOrOptions ? syncOrOptions : createClerkSync(syncOrOptions);
}

/**
 * Only Svix's POST is a delivery: every other method gets 405 with `Allow: POST`
 * (HEAD too, which Next derives from GET). OPTIONS is answered the same way, or
 * Next would answer it 204 and list these handlers as allowed methods.
 */
function methodNotAllowed(): Response {
  return Response.json({ message: 'method not allowed: deliveries are POSTed' }, { status: 405, headers: { Allow: 'POST' } });
}

/** The webhook route: `export const { POST, GET, PUT, PATCH, DELETE, OPTIONS } = clerkWebhookRoute(clerkSync)`. */
export function clerkWebhookRoute<Fields extends AppFields>(
  syncOrOptions: ClerkSync<Fields> | ClerkSyncOptions<Fields>,
): ClerkWebhookRoute {
  const sync = engineOf(syncOrOptions);
  return {
    POST: (request) => sync.handleWebhook(request),
    GET: methodNotAllowed,
    PUT: methodNotAllowed,
    PATCH: methodNotAllowed,
    DELETE: methodNotAllowed,
    OPTIONS: methodNotAllowed,
  };
}

/**
 * `@clerk/nextjs/server`, loaded on first use: a webhook route never needs it,
 * and Clerk's SDK reads its settings (CLERK_SECRET_KEY, CLERK_API_URL) when it loads.
 */
const clerkServer = () => import('@clerk/nextjs/server');

/** Just-in-time sync's fetch through `@clerk/nextjs`'s own Backend API client (its key and API URL). */
export const fetchUserWithClerkClient: FetchClerkUser = async (clerkId) => {
  const client = await (await clerkServer()).clerkClient();
  return (await client.users.getUser(clerkId)).raw;
};

/**
 * The signed-in user's synced document (`auth()`), synced just in time with
 * `clerkClient()` when no webhook has delivered it yet; `signed_out` without
 * a session. With `clerkId`, that user's instead (no `auth()`: server actions,
 * jobs). Never throws for the expected cases: Clerk not answering is
 * `pending`, the database away is `unavailable`.
 */
export async function syncedUser<Fields extends AppFields>(
  sync: ClerkSync<Fields>,
  options: { clerkId?: string } = {},
): Promise<CurrentUser<Fields> | { state: 'signed_out' }> {
  const clerkId = options.clerkId ?? (await (await clerkServer()).auth()).userId;
  if (!clerkId) return { state: 'signed_out' };
  return sync.loadUser(clerkId, { fetchUser: fetchUserWithClerkClient });
}

/** Just-in-time sync's organization fetch through `clerkClient()`. */
export const fetchOrganizationWithClerkClient: FetchClerkOrganization = async (clerkOrgId) => {
  const client = await (await clerkServer()).clerkClient();
  return (await client.organizations.getOrganization({ organizationId: clerkOrgId })).raw;
};

/** Just-in-time sync's membership fetch through `clerkClient()`: the user's one membership, or a 404-status error. */
export const fetchMembershipWithClerkClient: FetchClerkMembership = async (clerkOrgId, clerkUserId) => {
  const client = await (await clerkServer()).clerkClient();
  const { data } = await client.organizations.getOrganizationMembershipList({
    organizationId: clerkOrgId,
    userId: [clerkUserId],
    limit: 1,
  });
  const membership = data[0];
  if (!membership) throw Object.assign(new Error('no membership of this user in this organization'), { status: 404 });
  return membership.raw;
};

/**
 * The signed-in user's active organization (`auth()`'s `userId` and
 * `orgId`) and their membership, synced just in time with `clerkClient()`
 * when no webhook has delivered them yet; `signed_out` without a session,
 * `no_organization` without an active organization. With `clerkOrgId` and
 * `clerkUserId`, that pair's instead (no `auth()`). Never throws for the
 * expected cases.
 */
export async function syncedOrganization<Fields extends AppFields>(
  sync: ClerkSync<Fields>,
  options: { clerkOrgId?: string; clerkUserId?: string } = {},
): Promise<CurrentOrganization | { state: 'signed_out' } | { state: 'no_organization' }> {
  const session = options.clerkUserId && options.clerkOrgId ? null : await (await clerkServer()).auth();
  const clerkUserId = options.clerkUserId ?? session?.userId;
  if (!clerkUserId) return { state: 'signed_out' };
  const clerkOrgId = options.clerkOrgId ?? session?.orgId;
  if (!clerkOrgId) return { state: 'no_organization' };
  return sync.loadOrganization(clerkOrgId, clerkUserId, {
    fetchOrganization: fetchOrganizationWithClerkClient,
    fetchMembership: fetchMembershipWithClerkClient,
  });
}
