/**
 * "Re-sync from Clerk" on /admin, against the local double of Clerk's Backend
 * API (Clerk's cloud is unreachable here), which the real Clerk SDK reaches
 * through CLERK_API_URL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clerkUser, userCreatedEvent, userDeletedEvent } from 'clerk-mongo-sync/testing';
import { startClerkApiDoubleForApp, type ClerkApiDouble } from '../../tools/clerk/api-double';
import { deliver } from '../support/webhook';

let clerk: ClerkApiDouble;
let resyncUserFromClerk: typeof import('@/lib/admin/resync').resyncUserFromClerk;
let findUser: typeof import('@/lib/clerk-sync').clerkSync.users.find;

beforeAll(async () => {
  clerk = await startClerkApiDoubleForApp('sk_test_resyncDouble000000000000000000');
  ({ resyncUserFromClerk } = await import('@/lib/admin/resync'));
  const { clerkSync } = await import('@/lib/clerk-sync');
  findUser = (clerkId) => clerkSync.users.find(clerkId);
});

afterAll(() => clerk.close());

describe('re-sync a user from Clerk', () => {
  it('creates a user whose webhooks never arrived, with Clerk’s current profile', async () => {
    const user = clerkUser({ firstName: 'Katherine', publicMetadata: { role: 'admin' } });
    clerk.users.put(user);
    expect(await resyncUserFromClerk(user.id)).toBe('synced');
    expect(await findUser(user.id)).toMatchObject({
      firstName: 'Katherine',
      version: user.updated_at,
      publicMetadata: { role: 'admin' },
    });
  });

  it('updates an older stored profile, and reports an up-to-date one as unchanged', async () => {
    const user = clerkUser({ firstName: 'Old' });
    await deliver(userCreatedEvent(user));
    clerk.users.put({ ...user, first_name: 'New', updated_at: user.updated_at + 5_000 });
    expect(await resyncUserFromClerk(user.id)).toBe('synced');
    expect((await findUser(user.id))?.firstName).toBe('New');
    expect(await resyncUserFromClerk(user.id)).toBe('unchanged');
  });

  it('never brings back a user deleted here', async () => {
    const user = clerkUser();
    await deliver(userCreatedEvent(user));
    await deliver(userDeletedEvent(user.id));
    clerk.users.put({ ...user, updated_at: Date.now() + 1_000 });
    expect(await resyncUserFromClerk(user.id)).toBe('unchanged');
    expect((await findUser(user.id))?.deletedAt).toBeInstanceOf(Date);
  });

  it('says so when Clerk has no such user, when its API fails, and for ids that are not Clerk user ids', async () => {
    expect(await resyncUserFromClerk('user_2doesNotExist0000000000000')).toBe('not_in_clerk');
    clerk.failNext('user', { kind: 'server_error', status: 502 });
    expect(await resyncUserFromClerk('user_2doesNotExist0000000000000')).toBe('clerk_unavailable');
    for (const id of ['', 'sess_2abc', 'user_../../v1/users', 'user_2abc?x=1']) expect(await resyncUserFromClerk(id)).toBe('invalid_id');
  });
});
