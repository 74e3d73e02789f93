/**
 * Who gets into /admin, decided from realistic Clerk session claims and the
 * users documents that real signed webhooks produced.
 */
import { describe, expect, it } from 'vitest';
import { decideAdminAccess } from '@/lib/admin/access';
import { adminAccessFor } from '@/lib/admin/authorize';
import { clerkId, clerkUser, userCreatedEvent, userDeletedEvent } from 'clerk-mongo-sync/testing';
import { deliver } from '../support/webhook';

const listedAdmin = clerkId('user');
process.env.ADMIN_USER_IDS = `user_2someoneElse000000000000000, ${listedAdmin}`;

/** The claims of a Clerk (v2) session token; `extra` adds what a customised session token template adds. */
function sessionClaims(userId: string, extra: Record<string, unknown> = {}) {
  const now = Math.floor(Date.now() / 1000);
  return {
    azp: 'http://localhost:3000',
    exp: now + 60,
    fva: [0, -1],
    iat: now,
    iss: 'https://clerk.example.test',
    nbf: now - 10,
    sid: clerkId('sess'),
    sts: 'active',
    sub: userId,
    v: 2,
    ...extra,
  };
}

async function syncedUser(options: Parameters<typeof clerkUser>[0]) {
  const user = clerkUser(options);
  expect((await deliver(userCreatedEvent(user))).body.outcome).toBe('applied');
  return user.id;
}

describe('admin access', () => {
  it('refuses a signed-in user without the admin role', async () => {
    const id = await syncedUser({});
    expect(await adminAccessFor(id, sessionClaims(id, { metadata: {} }))).toEqual({ allowed: false });
  });

  it('refuses a user whose unsafe_metadata.role is "admin", wherever that claim shows up', async () => {
    const id = await syncedUser({ unsafeMetadata: { role: 'admin' } });
    expect(await adminAccessFor(id, sessionClaims(id))).toEqual({ allowed: false });
    // Even a session token template that (wrongly) copies unsafe metadata does not help.
    const leaky = sessionClaims(id, { unsafe_metadata: { role: 'admin' }, unsafeMetadata: { role: 'admin' }, role: 'admin' });
    expect(await adminAccessFor(id, leaky)).toEqual({ allowed: false });
  });

  it('admits publicMetadata.role "admin" from a customised session token', async () => {
    const id = clerkId('user'); // not synced yet: the claim alone decides
    expect(await adminAccessFor(id, sessionClaims(id, { metadata: { role: 'admin' } }))).toEqual({ allowed: true, via: 'session_claims' });
  });

  it('admits publicMetadata.role "admin" from the synced users document when the token carries no metadata', async () => {
    const id = await syncedUser({ publicMetadata: { role: 'admin', plan: 'pro' } });
    expect(await adminAccessFor(id, sessionClaims(id))).toEqual({ allowed: true, via: 'synced_profile' });
  });

  it('stops admitting a synced admin once the user is deleted', async () => {
    const id = await syncedUser({ publicMetadata: { role: 'admin' } });
    expect((await deliver(userDeletedEvent(id))).body.outcome).toBe('applied');
    expect(await adminAccessFor(id, sessionClaims(id))).toEqual({ allowed: false });
  });

  it('admits user ids listed in ADMIN_USER_IDS', async () => {
    expect(await adminAccessFor(listedAdmin, sessionClaims(listedAdmin))).toEqual({ allowed: true, via: 'admin_user_ids' });
  });

  it('treats a role other than "admin" and malformed metadata claims as no access', () => {
    const base = { userId: 'user_x', storedUser: null, adminUserIds: [] };
    for (const metadata of [{ role: 'Admin' }, { role: ['admin'] }, 'admin', null]) {
      expect(decideAdminAccess({ ...base, sessionClaims: sessionClaims('user_x', { metadata }) })).toEqual({ allowed: false });
    }
  });
});
