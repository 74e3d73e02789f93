/**
 * A local double of Clerk's Backend API (Clerk's cloud is unreachable here):
 * a plain HTTP server the real Clerk SDK reaches through CLERK_API_URL,
 * answering in Clerk's JSON shapes and with Clerk's semantics for what the app
 * uses — `GET /v1/users/:id`, `GET /v1/users` (limit 1–500, default 10;
 * offset; order_by ±created_at, newest first by default) and
 * `GET /v1/users/count`, which `users.getUserList()` calls alongside the list
 * to build `{ data, totalCount }`, and, given the instance's public key,
 * `GET /v1/jwks`, where Clerk's middleware finds it to verify session tokens
 * when it has no `jwtKey`; and organizations: `GET /v1/organizations` (limit,
 * offset, order_by; `{ data, total_count }`), `GET /v1/organizations/:id` and
 * `GET /v1/organizations/:id/memberships` (limit, offset, `user_id` filter;
 * `{ data, total_count }`, each membership embedding its organization). Every request needs `Authorization: Bearer
 * <secret key>`, else 401 as Clerk answers it.
 *
 * Users: `generated` users made on demand from their index (cheap at 100,000:
 * only what a page needs is ever built), plus users added, changed or deleted
 * by a test. Faults can be injected per route: 429 with Retry-After, 5xx, slow
 * answers, answers held until a test releases them, and failing every list page from an offset on. `requests` counts
 * what was asked, with the status given.
 *
 * Organizations: `generated` ones (each with `membersPerOrganization`
 * generated users as members, organization i the users from i × members on),
 * plus those a test adds, changes or deletes, with their memberships.
 *
 * Control endpoints for tests in another process (the e2e suite):
 * `POST /__double/users` with a Clerk user JSON adds or replaces that user;
 * `POST /__double/organizations` an organization, `POST /__double/memberships`
 * a membership (its organization added too if unknown); `DELETE
 * /__double/organizations/:id` and `DELETE /__double/memberships/:orgId/:userId`
 * remove them.
 */
import { createPublicKey } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  clerkUser,
  membershipPayload,
  organizationPayload,
  type ClerkMembershipJsonFixture,
  type ClerkOrganizationJsonFixture,
  type ClerkUserJsonFixture,
} from 'clerk-mongo-sync/testing';

export type Route = 'list' | 'count' | 'user' | 'jwks' | 'organizations' | 'organization' | 'memberships';

const ROUTES: readonly Route[] = ['list', 'count', 'user', 'jwks', 'organizations', 'organization', 'memberships'];

export type Fault =
  | { kind: 'rate_limit'; retryAfterSeconds: number }
  | { kind: 'server_error'; status: number }
  | { kind: 'slow'; delayMs: number }
  /** Answers normally once `until` settles: a test decides what happens while the caller waits. */
  | { kind: 'held'; until: Promise<unknown> };

/** `offset` of a listing (users, organizations, memberships); `id` of the organization or user asked about. */
export type RequestRecord = { route: Route | 'control' | 'other'; status: number; offset?: number; id?: string; userId?: string };

/** The first generated user's created_at; each next one a minute later (Clerk lists by created_at). */
const GENERATED_EPOCH = Date.UTC(2025, 0, 1);
const GENERATED_ID_PREFIX = 'user_2gen';
const MAX_LIMIT = 500;
const DEFAULT_LIMIT = 10;

/** The id of generated user `index`: a valid Clerk user id, ordered like the index. */
export function generatedUserId(index: number): string {
  return `${GENERATED_ID_PREFIX}${String(index).padStart(22, '0')}`;
}

function generatedIndex(id: string): number | undefined {
  if (!id.startsWith(GENERATED_ID_PREFIX)) return undefined;
  const index = Number(id.slice(GENERATED_ID_PREFIX.length));
  return Number.isInteger(index) ? index : undefined;
}

/** Generated user `index` as Clerk serialises it; the same profile every time it is built. */
export function generatedUser(index: number): ClerkUserJsonFixture {
  const createdAt = GENERATED_EPOCH + index * 60_000;
  return clerkUser({
    id: generatedUserId(index),
    firstName: `First${index}`,
    lastName: index % 5 === 0 ? null : `Last${index}`,
    username: index % 3 === 0 ? `user${index}` : null,
    email: index % 11 === 0 ? null : `user${index}@example.com`,
    phone: index % 4 === 0 ? `+1555${String(index).padStart(7, '0')}` : null,
    publicMetadata: index % 7 === 0 ? { plan: 'pro' } : {},
    createdAt,
    updatedAt: createdAt + (index % 13) * 1_000,
    lastSignInAt: index % 2 === 0 ? createdAt + 3_600_000 : null,
  });
}

/**
 * Clerk's users: `generated` ones first (oldest), then added ones in the
 * order added. Deleting a user removes it from every answer, as in Clerk.
 */
class UserDirectory {
  private readonly added: string[] = [];
  private readonly changed = new Map<string, ClerkUserJsonFixture>();
  private readonly deleted = new Set<string>();
  private readonly unlisted = new Set<string>();

  constructor(private readonly generated: number) {}

  get(id: string): ClerkUserJsonFixture | undefined {
    if (this.deleted.has(id)) return undefined;
    const stored = this.changed.get(id);
    if (stored) return stored;
    const index = generatedIndex(id);
    return index !== undefined && index < this.generated ? generatedUser(index) : undefined;
  }

  /** Adds a user (listed after all others) or replaces one with the same id. */
  put(user: ClerkUserJsonFixture): void {
    const known = this.changed.has(user.id) || this.isGenerated(user.id);
    if (!known) this.added.push(user.id);
    this.changed.set(user.id, user);
    this.deleted.delete(user.id);
  }

  delete(id: string): void {
    if (this.get(id)) this.deleted.add(id);
  }

  /** Keeps an existing user out of listings (found by id, counted): how a page shifted by a concurrent delete misses one. */
  hideFromListing(id: string): void {
    this.unlisted.add(id);
  }

  count(): number {
    return this.generated + this.added.length - this.deleted.size;
  }

  /** `limit` users from `offset` in created_at order; built lazily, so only the page is ever held. */
  page(offset: number, limit: number, newestFirst: boolean): ClerkUserJsonFixture[] {
    const page: ClerkUserJsonFixture[] = [];
    const total = this.generated + this.added.length;
    // Without deletions a position is its offset: jump there instead of walking 100,000 users per page.
    let skipped = this.deleted.size + this.unlisted.size === 0 ? offset : 0;
    for (let position = skipped; position < total && page.length < limit; position++) {
      const id = this.idAt(newestFirst ? total - 1 - position : position);
      if (this.deleted.has(id) || this.unlisted.has(id)) continue;
      if (skipped++ < offset) continue;
      page.push(this.get(id)!);
    }
    return page;
  }

  private idAt(position: number): string {
    return position < this.generated ? generatedUserId(position) : this.added[position - this.generated]!;
  }

  private isGenerated(id: string): boolean {
    const index = generatedIndex(id);
    return index !== undefined && index < this.generated;
  }
}

const GENERATED_ORG_PREFIX = 'org_2gen';

/** The id of generated organization `index`: a valid Clerk organization id, ordered like the index. */
export function generatedOrganizationId(index: number): string {
  return `${GENERATED_ORG_PREFIX}${String(index).padStart(22, '0')}`;
}

/** Generated organization `index` as Clerk serialises it, counting `members` members; the same every time. */
export function generatedOrganization(index: number, members: number): ClerkOrganizationJsonFixture {
  const createdAt = GENERATED_EPOCH + index * 60_000;
  return organizationPayload({
    id: generatedOrganizationId(index),
    name: `Organization ${index}`,
    slug: `organization-${index}`,
    membersCount: members,
    maxAllowedMemberships: 0,
    publicMetadata: index % 7 === 0 ? { plan: 'enterprise' } : {},
    createdBy: members > 0 ? generatedUserId(index * members) : null,
    createdAt,
    updatedAt: createdAt + (index % 13) * 1_000,
  });
}

/** Member `position` of generated organization `index`: generated user index × members + position, the first an admin. */
export function generatedMembership(index: number, position: number, members: number): ClerkMembershipJsonFixture {
  const organization = generatedOrganization(index, members);
  const createdAt = organization.created_at + position * 1_000;
  return membershipPayload({
    id: `orgmem_2gen${String(index * members + position).padStart(22, '0')}`,
    organization,
    user: generatedUser(index * members + position),
    role: position === 0 ? 'org:admin' : 'org:member',
    createdAt,
    updatedAt: createdAt,
  });
}

function generatedOrgIndex(id: string): number | undefined {
  if (!id.startsWith(GENERATED_ORG_PREFIX)) return undefined;
  const index = Number(id.slice(GENERATED_ORG_PREFIX.length));
  return Number.isInteger(index) ? index : undefined;
}

/**
 * Clerk's organizations and their memberships: `generated` ones first
 * (oldest), then added ones in the order added. A deleted organization and a
 * removed membership are gone from every answer, as in Clerk. Memberships
 * embed their organization as it is now.
 */
class OrganizationDirectory {
  private readonly added: string[] = [];
  private readonly changed = new Map<string, ClerkOrganizationJsonFixture>();
  private readonly deleted = new Set<string>();
  private readonly unlisted = new Set<string>();
  /** Memberships a test put or removed (`null`), by organization and user. */
  private readonly memberChanges = new Map<string, Map<string, ClerkMembershipJsonFixture | null>>();
  /** Memberships kept out of their organization's full listing, as `organizationId/userId`. */
  private readonly unlistedMembers = new Set<string>();

  constructor(
    private readonly generated: number,
    private readonly members: number,
  ) {}

  get(id: string): ClerkOrganizationJsonFixture | undefined {
    if (this.deleted.has(id)) return undefined;
    const stored = this.changed.get(id);
    if (stored) return stored;
    const index = generatedOrgIndex(id);
    return index !== undefined && index < this.generated ? generatedOrganization(index, this.members) : undefined;
  }

  /** Adds an organization (listed after all others) or replaces one with the same id. */
  put(organization: ClerkOrganizationJsonFixture): void {
    if (!this.changed.has(organization.id) && !this.isGenerated(organization.id)) this.added.push(organization.id);
    this.changed.set(organization.id, organization);
    this.deleted.delete(organization.id);
  }

  delete(id: string): void {
    if (this.get(id)) this.deleted.add(id);
  }

  /** Keeps an existing organization out of listings (found by id, counted): how a page shifted by a concurrent delete misses one. */
  hideFromListing(id: string): void {
    this.unlisted.add(id);
  }

  count(): number {
    return this.generated + this.added.length - this.deleted.size;
  }

  page(offset: number, limit: number, newestFirst: boolean): ClerkOrganizationJsonFixture[] {
    const total = this.generated + this.added.length;
    const page: ClerkOrganizationJsonFixture[] = [];
    let skipped = this.deleted.size + this.unlisted.size === 0 ? offset : 0;
    for (let position = skipped; position < total && page.length < limit; position++) {
      const at = newestFirst ? total - 1 - position : position;
      const id = at < this.generated ? generatedOrganizationId(at) : this.added[at - this.generated]!;
      if (this.deleted.has(id) || this.unlisted.has(id)) continue;
      if (skipped++ < offset) continue;
      page.push(this.get(id)!);
    }
    return page;
  }

  /** Adds or replaces a membership (and its organization, if unknown). */
  putMembership(membership: ClerkMembershipJsonFixture): void {
    if (!this.get(membership.organization.id)) this.put(membership.organization);
    this.changesOf(membership.organization.id).set(membership.public_user_data.user_id, membership);
  }

  removeMembership(organizationId: string, userId: string): void {
    this.changesOf(organizationId).set(userId, null);
  }

  /** Keeps a membership out of its organization's full listing; asked for by `user_id`, it is found. */
  hideMembershipFromListing(organizationId: string, userId: string): void {
    this.unlistedMembers.add(`${organizationId}/${userId}`);
  }

  isMembershipListed(organizationId: string, userId: string): boolean {
    return !this.unlistedMembers.has(`${organizationId}/${userId}`);
  }

  /** The organization's memberships, oldest first, each embedding the organization as it is now. */
  membershipsOf(organizationId: string): ClerkMembershipJsonFixture[] {
    const organization = this.get(organizationId);
    if (!organization) return [];
    const changes = this.memberChanges.get(organizationId) ?? new Map<string, ClerkMembershipJsonFixture | null>();
    const index = generatedOrgIndex(organizationId);
    const generated =
      index !== undefined && index < this.generated
        ? Array.from({ length: this.members }, (_, position) => generatedMembership(index, position, this.members))
        : [];
    const byUser = new Map(generated.map((membership) => [membership.public_user_data.user_id, membership]));
    for (const [userId, membership] of changes) {
      if (membership) byUser.set(userId, membership);
      else byUser.delete(userId);
    }
    return [...byUser.values()].map((membership) => ({ ...membership, organization }));
  }

  private changesOf(organizationId: string) {
    let changes = this.memberChanges.get(organizationId);
    if (!changes) this.memberChanges.set(organizationId, (changes = new Map()));
    return changes;
  }

  private isGenerated(id: string): boolean {
    const index = generatedOrgIndex(id);
    return index !== undefined && index < this.generated;
  }
}

export type ClerkApiDouble = {
  url: string;
  secretKey: string;
  users: Pick<UserDirectory, 'get' | 'put' | 'delete' | 'count' | 'hideFromListing'>;
  organizations: Pick<
    OrganizationDirectory,
    | 'get'
    | 'put'
    | 'delete'
    | 'count'
    | 'hideFromListing'
    | 'putMembership'
    | 'removeMembership'
    | 'hideMembershipFromListing'
    | 'membershipsOf'
  >;
  /** Every request answered, in order. */
  requests: RequestRecord[];
  /** The next `times` requests to `route` get `fault`. */
  failNext(route: Route, fault: Fault, times?: number): void;
  /** Every list request from `offset` on fails with `status` until cleared (a listing that breaks half-way). */
  failListFrom(offset: number | undefined, status?: number): void;
  /** Every request to `route` waits `delayMs` first (0 to stop). */
  slowDown(route: Route, delayMs: number): void;
  close(): Promise<void>;
};

type Options = {
  secretKey: string;
  generatedUsers?: number;
  /** Organizations made on demand, each with `membersPerOrganization` generated users as members (at most `generatedUsers` users exist as users). */
  generatedOrganizations?: number;
  membersPerOrganization?: number;
  port?: number;
  host?: string;
  /** The instance's public key (SPKI PEM) and its key id: served as Clerk's JWKS. */
  jwks?: { publicKey: string; kid: string };
};

/** Clerk's JWKS: the instance's RSA key as a JWK, for RS256 signatures. */
function jwksOf({ publicKey, kid }: NonNullable<Options['jwks']>) {
  const { n, e } = createPublicKey(publicKey).export({ format: 'jwk' });
  return { keys: [{ use: 'sig', kty: 'RSA', kid, alg: 'RS256', n, e }] };
}

function clerkError(status: number, code: string, message: string, longMessage = message) {
  return {
    status,
    body: { errors: [{ code, message, long_message: longMessage, meta: {} }], clerk_trace_id: `trace_${status}_${Date.now()}` },
  };
}

const UNAUTHORIZED = clerkError(
  401,
  'authentication_invalid',
  'Unauthorized request',
  'The provided Clerk Secret Key is invalid. Make sure that your Clerk Secret Key is correct.',
);
const NOT_FOUND = clerkError(404, 'resource_not_found', 'not found', 'Resource not found');

function send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => resolve(body));
    request.on('error', reject);
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function startClerkApiDouble({
  secretKey,
  generatedUsers = 0,
  generatedOrganizations = 0,
  membersPerOrganization = 0,
  port = 0,
  host = '127.0.0.1',
  jwks,
}: Options): Promise<ClerkApiDouble> {
  const users = new UserDirectory(generatedUsers);
  const organizations = new OrganizationDirectory(generatedOrganizations, membersPerOrganization);
  const requests: RequestRecord[] = [];
  const queued = Object.fromEntries(ROUTES.map((route) => [route, [] as Fault[]])) as Record<Route, Fault[]>;
  const delays = Object.fromEntries(ROUTES.map((route) => [route, 0])) as Record<Route, number>;
  let failingFrom: { offset: number; status: number } | undefined;

  function routeOf(url: URL): { route: Route; id?: string } | undefined {
    if (url.pathname === '/v1/organizations') return { route: 'organizations' };
    const organization = /^\/v1\/organizations\/([^/]+)(\/memberships)?$/.exec(url.pathname);
    if (organization) return { route: organization[2] ? 'memberships' : 'organization', id: decodeURIComponent(organization[1]!) };
    if (url.pathname === '/v1/users') return { route: 'list' };
    if (url.pathname === '/v1/users/count') return { route: 'count' };
    if (url.pathname === '/v1/jwks' && jwks) return { route: 'jwks' };
    const id = /^\/v1\/users\/([^/]+)$/.exec(url.pathname)?.[1];
    return id ? { route: 'user', id: decodeURIComponent(id) } : undefined;
  }

  /** Clerk's paging parameters, or the 422 it answers for bad ones. */
  function pagingOf(url: URL, reply: (status: number, body: unknown) => void) {
    const limit = Number(url.searchParams.get('limit') ?? DEFAULT_LIMIT);
    const offset = Number(url.searchParams.get('offset') ?? 0);
    const orderBy = url.searchParams.get('order_by') ?? '-created_at';
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
      const error = clerkError(422, 'form_param_value_invalid', 'is invalid', `limit must be between 1 and ${MAX_LIMIT}`);
      return void reply(error.status, error.body);
    }
    if (!Number.isInteger(offset) || offset < 0 || !['+created_at', '-created_at', 'created_at'].includes(orderBy)) {
      const error = clerkError(422, 'form_param_value_invalid', 'is invalid');
      return void reply(error.status, error.body);
    }
    return { limit, offset, newestFirst: orderBy.startsWith('-') };
  }

  function listUsers(url: URL, reply: (status: number, body: unknown) => void): void {
    const paging = pagingOf(url, reply);
    if (paging) reply(200, users.page(paging.offset, paging.limit, paging.newestFirst));
  }

  function listOrganizations(url: URL, reply: (status: number, body: unknown) => void): void {
    const paging = pagingOf(url, reply);
    if (paging)
      reply(200, { data: organizations.page(paging.offset, paging.limit, paging.newestFirst), total_count: organizations.count() });
  }

  /** One organization's memberships, oldest first unless asked otherwise, filtered by `user_id` (repeatable). */
  function listMemberships(url: URL, organizationId: string, reply: (status: number, body: unknown) => void): void {
    if (!organizations.get(organizationId)) return reply(NOT_FOUND.status, NOT_FOUND.body);
    const paging = pagingOf(url, reply);
    if (!paging) return;
    const userIds = url.searchParams.getAll('user_id');
    let memberships = organizations.membershipsOf(organizationId);
    const listed = ({ public_user_data: { user_id } }: ClerkMembershipJsonFixture) =>
      userIds.length > 0 ? userIds.includes(user_id) : organizations.isMembershipListed(organizationId, user_id);
    memberships = memberships.filter(listed);
    if (paging.newestFirst) memberships.reverse();
    reply(200, { data: memberships.slice(paging.offset, paging.offset + paging.limit), total_count: memberships.length });
  }

  /** The control endpoints: what a test in another process changes at "Clerk". */
  async function control(request: IncomingMessage, url: URL): Promise<boolean> {
    if (request.method === 'POST' && url.pathname === '/__double/users')
      users.put(JSON.parse(await readBody(request)) as ClerkUserJsonFixture);
    else if (request.method === 'POST' && url.pathname === '/__double/organizations')
      organizations.put(JSON.parse(await readBody(request)) as ClerkOrganizationJsonFixture);
    else if (request.method === 'POST' && url.pathname === '/__double/memberships')
      organizations.putMembership(JSON.parse(await readBody(request)) as ClerkMembershipJsonFixture);
    else if (request.method === 'DELETE' && url.pathname.startsWith('/__double/organizations/'))
      organizations.delete(decodeURIComponent(url.pathname.slice('/__double/organizations/'.length)));
    else if (request.method === 'DELETE' && url.pathname.startsWith('/__double/memberships/')) {
      const [organizationId = '', userId = ''] = url.pathname.slice('/__double/memberships/'.length).split('/').map(decodeURIComponent);
      organizations.removeMembership(organizationId, userId);
    } else return false;
    return true;
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://double');
    const record: RequestRecord = { route: 'other', status: 0 };
    requests.push(record);
    const reply = (status: number, body: unknown, headers?: Record<string, string>) => {
      record.status = status;
      send(response, status, body, headers);
    };

    if (url.pathname.startsWith('/__double/') && (await control(request, url))) {
      record.route = 'control';
      return reply(200, { ok: true });
    }
    const target = request.method === 'GET' ? routeOf(url) : undefined;
    if (!target) return reply(404, NOT_FOUND.body);
    record.route = target.route;
    if (target.route === 'list' || target.route === 'organizations' || target.route === 'memberships')
      record.offset = Number(url.searchParams.get('offset') ?? 0);
    if (target.id !== undefined) record.id = target.id;
    if (url.searchParams.has('user_id')) record.userId = url.searchParams.get('user_id')!;

    if (delays[target.route] > 0) await sleep(delays[target.route]);
    const fault = queued[target.route].shift();
    if (fault?.kind === 'slow') await sleep(fault.delayMs);
    if (fault?.kind === 'held') await fault.until.catch(() => undefined);
    if (fault?.kind === 'rate_limit') {
      const error = clerkError(429, 'too_many_requests', 'Too many requests', 'Too many requests, retry later');
      return reply(error.status, error.body, { 'retry-after': String(fault.retryAfterSeconds) });
    }
    if (fault?.kind === 'server_error') {
      const error = clerkError(fault.status, 'internal_clerk_error', 'Oops, something went wrong');
      return reply(error.status, error.body);
    }
    if (target.route === 'list' && failingFrom && (record.offset ?? 0) >= failingFrom.offset) {
      const error = clerkError(failingFrom.status, 'internal_clerk_error', 'Oops, something went wrong');
      return reply(error.status, error.body);
    }
    if (request.headers.authorization !== `Bearer ${secretKey}`) return reply(UNAUTHORIZED.status, UNAUTHORIZED.body);

    if (target.route === 'count') return reply(200, { object: 'total_count', total_count: users.count() });
    if (target.route === 'jwks') return reply(200, jwksOf(jwks!));
    if (target.route === 'list') return listUsers(url, reply);
    if (target.route === 'organizations') return listOrganizations(url, reply);
    if (target.route === 'memberships') return listMemberships(url, target.id!, reply);
    if (target.route === 'organization') {
      const organization = organizations.get(target.id!);
      return organization ? reply(200, organization) : reply(NOT_FOUND.status, NOT_FOUND.body);
    }
    const user = users.get(target.id!);
    return user ? reply(200, user) : reply(NOT_FOUND.status, NOT_FOUND.body);
  }

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) send(response, 500, { errors: [{ code: 'double_error', message: String(error) }] });
    });
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));

  return {
    url: `http://${host}:${(server.address() as AddressInfo).port}`,
    secretKey,
    users,
    organizations,
    requests,
    failNext(route, fault, times = 1) {
      for (let i = 0; i < times; i++) queued[route].push(fault);
    },
    failListFrom(offset, status = 503) {
      failingFrom = offset === undefined ? undefined : { offset, status };
    },
    slowDown(route, delayMs) {
      delays[route] = delayMs;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * A double the app itself calls: the Clerk SDK reads CLERK_API_URL and
 * CLERK_SECRET_KEY when it loads, so start this before importing app modules
 * that use it.
 */
export async function startClerkApiDoubleForApp(secretKey: string): Promise<ClerkApiDouble> {
  const clerk = await startClerkApiDouble({ secretKey });
  process.env.CLERK_API_URL = clerk.url;
  process.env.CLERK_SECRET_KEY = clerk.secretKey;
  return clerk;
}
