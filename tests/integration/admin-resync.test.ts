/**
 * "Re-sync from Clerk" on /admin, against a stand-in for Clerk's Backend API
 * (Clerk's cloud is unreachable here): a plain HTTP server the real Clerk SDK
 * reaches through CLERK_API_URL, answering with Clerk's JSON shapes.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clerkUser, userCreatedEvent, userDeletedEvent, type ClerkUserJsonFixture } from '../fixtures/clerk';
import { deliver } from '../support/webhook';

const clerkUsers = new Map<string, ClerkUserJsonFixture>();
let failing = false;
let backendApi: Server;
let resyncUserFromClerk: typeof import('@/lib/admin/resync').resyncUserFromClerk;
let findUserByClerkId: typeof import('@/lib/users/repository').findUserByClerkId;

beforeAll(async () => {
  backendApi = createServer((request, response) => {
    const id = /^\/v1\/users\/([^/?]+)$/.exec(request.url ?? '')?.[1];
    const user = id ? clerkUsers.get(decodeURIComponent(id)) : undefined;
    const reply = (status: number, body: unknown) => response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (failing) return reply(502, { errors: [{ code: 'internal_clerk_error', message: 'bad gateway' }], clerk_trace_id: 'trace_1' });
    if (request.headers.authorization !== `Bearer ${process.env.CLERK_SECRET_KEY}`) return reply(401, { errors: [{ code: 'authentication_invalid', message: 'invalid key' }] });
    if (!user) return reply(404, { errors: [{ code: 'resource_not_found', message: 'not found', long_message: 'User not found' }], clerk_trace_id: 'trace_2' });
    return reply(200, user);
  });
  await new Promise<void>((resolve) => backendApi.listen(0, '127.0.0.1', resolve));
  // Read by the Clerk SDK when it loads, hence the imports below.
  process.env.CLERK_API_URL = `http://127.0.0.1:${(backendApi.address() as AddressInfo).port}`;
  process.env.CLERK_SECRET_KEY = 'sk_test_resyncDouble000000000000000000';
  ({ resyncUserFromClerk } = await import('@/lib/admin/resync'));
  ({ findUserByClerkId } = await import('@/lib/users/repository'));
});

afterAll(() => new Promise<void>((resolve) => backendApi.close(() => resolve())));

describe('re-sync a user from Clerk', () => {
  it('creates a user whose webhooks never arrived, with Clerk’s current profile', async () => {
    const user = clerkUser({ firstName: 'Katherine', publicMetadata: { role: 'admin' } });
    clerkUsers.set(user.id, user);
    expect(await resyncUserFromClerk(user.id)).toBe('synced');
    expect(await findUserByClerkId(user.id)).toMatchObject({ firstName: 'Katherine', version: user.updated_at, publicMetadata: { role: 'admin' } });
  });

  it('updates an older stored profile, and reports an up-to-date one as unchanged', async () => {
    const user = clerkUser({ firstName: 'Old' });
    await deliver(userCreatedEvent(user));
    clerkUsers.set(user.id, { ...user, first_name: 'New', updated_at: user.updated_at + 5_000 });
    expect(await resyncUserFromClerk(user.id)).toBe('synced');
    expect((await findUserByClerkId(user.id))?.firstName).toBe('New');
    expect(await resyncUserFromClerk(user.id)).toBe('unchanged');
  });

  it('never brings back a user deleted here', async () => {
    const user = clerkUser();
    await deliver(userCreatedEvent(user));
    await deliver(userDeletedEvent(user.id));
    clerkUsers.set(user.id, { ...user, updated_at: Date.now() + 1_000 });
    expect(await resyncUserFromClerk(user.id)).toBe('unchanged');
    expect((await findUserByClerkId(user.id))?.deletedAt).toBeInstanceOf(Date);
  });

  it('says so when Clerk has no such user, when its API fails, and for ids that are not Clerk user ids', async () => {
    expect(await resyncUserFromClerk('user_2doesNotExist0000000000000')).toBe('not_in_clerk');
    failing = true;
    try {
      expect(await resyncUserFromClerk('user_2doesNotExist0000000000000')).toBe('clerk_unavailable');
    } finally {
      failing = false;
    }
    for (const id of ['', 'sess_2abc', 'user_../../v1/users', 'user_2abc?x=1']) expect(await resyncUserFromClerk(id)).toBe('invalid_id');
  });
});
