/**
 * A local double of Clerk's Backend API (Clerk's cloud is unreachable here):
 * a plain HTTP server the real Clerk SDK reaches through CLERK_API_URL,
 * answering in Clerk's JSON shapes and with Clerk's semantics for what the app
 * uses — `GET /v1/users/:id`, `GET /v1/users` (limit 1–500, default 10;
 * offset; order_by ±created_at, newest first by default) and
 * `GET /v1/users/count`, which `users.getUserList()` calls alongside the list
 * to build `{ data, totalCount }`, and, given the instance's public key,
 * `GET /v1/jwks`, where Clerk's middleware finds it to verify session tokens
 * when it has no `jwtKey`. Every request needs `Authorization: Bearer
 * <secret key>`, else 401 as Clerk answers it.
 *
 * Users: `generated` users made on demand from their index (cheap at 100,000:
 * only what a page needs is ever built), plus users added, changed or deleted
 * by a test. Faults can be injected per route: 429 with Retry-After, 5xx, slow
 * answers, answers held until a test releases them, and failing every list page from an offset on. `requests` counts
 * what was asked, with the status given.
 *
 * Control endpoint for tests in another process (the e2e suite):
 * `POST /__double/users` with a Clerk user JSON adds or replaces that user.
 */
import { createPublicKey } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { clerkUser, type ClerkUserJsonFixture } from 'clerk-mongo-sync/testing';

export type Route = 'list' | 'count' | 'user' | 'jwks';

export type Fault =
  | { kind: 'rate_limit'; retryAfterSeconds: number }
  | { kind: 'server_error'; status: number }
  | { kind: 'slow'; delayMs: number }
  /** Answers normally once `until` settles: a test decides what happens while the caller waits. */
  | { kind: 'held'; until: Promise<unknown> };

export type RequestRecord = { route: Route | 'control' | 'other'; status: number; offset?: number };

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

export type ClerkApiDouble = {
  url: string;
  secretKey: string;
  users: Pick<UserDirectory, 'get' | 'put' | 'delete' | 'count' | 'hideFromListing'>;
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
  port = 0,
  host = '127.0.0.1',
  jwks,
}: Options): Promise<ClerkApiDouble> {
  const users = new UserDirectory(generatedUsers);
  const requests: RequestRecord[] = [];
  const queued: Record<Route, Fault[]> = { list: [], count: [], user: [], jwks: [] };
  const delays: Record<Route, number> = { list: 0, count: 0, user: 0, jwks: 0 };
  let failingFrom: { offset: number; status: number } | undefined;

  function routeOf(url: URL): { route: Route; id?: string } | undefined {
    if (url.pathname === '/v1/users') return { route: 'list' };
    if (url.pathname === '/v1/users/count') return { route: 'count' };
    if (url.pathname === '/v1/jwks' && jwks) return { route: 'jwks' };
    const id = /^\/v1\/users\/([^/]+)$/.exec(url.pathname)?.[1];
    return id ? { route: 'user', id: decodeURIComponent(id) } : undefined;
  }

  function listUsers(url: URL, reply: (status: number, body: unknown) => void): void {
    const limit = Number(url.searchParams.get('limit') ?? DEFAULT_LIMIT);
    const offset = Number(url.searchParams.get('offset') ?? 0);
    const orderBy = url.searchParams.get('order_by') ?? '-created_at';
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
      const error = clerkError(422, 'form_param_value_invalid', 'is invalid', `limit must be between 1 and ${MAX_LIMIT}`);
      return reply(error.status, error.body);
    }
    if (!Number.isInteger(offset) || offset < 0 || !['+created_at', '-created_at', 'created_at'].includes(orderBy)) {
      const error = clerkError(422, 'form_param_value_invalid', 'is invalid');
      return reply(error.status, error.body);
    }
    reply(200, users.page(offset, limit, orderBy.startsWith('-')));
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://double');
    const record: RequestRecord = { route: 'other', status: 0 };
    requests.push(record);
    const reply = (status: number, body: unknown, headers?: Record<string, string>) => {
      record.status = status;
      send(response, status, body, headers);
    };

    if (request.method === 'POST' && url.pathname === '/__double/users') {
      record.route = 'control';
      users.put(JSON.parse(await readBody(request)) as ClerkUserJsonFixture);
      return reply(200, { ok: true });
    }
    const target = request.method === 'GET' ? routeOf(url) : undefined;
    if (!target) return reply(404, NOT_FOUND.body);
    record.route = target.route;
    if (target.route === 'list') record.offset = Number(url.searchParams.get('offset') ?? 0);

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
