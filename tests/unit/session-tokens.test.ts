/**
 * The test session tokens as Clerk's SDK reads them: each minted token is
 * authenticated by @clerk/backend's `authenticateRequest` (through
 * @clerk/nextjs/server, what clerkMiddleware runs) with the run's public key,
 * and the resulting auth object must say what a real Clerk session with that
 * organization says. The oracle is Clerk's parser, not ours.
 */
import { createClerkClient } from '@clerk/nextjs/server';
import { clerkId } from 'clerk-mongo-sync/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureRunSecrets, runSecrets } from '../../tools/clerk/run-secrets';
import { TEST_CLERK_KEYS } from '../../tools/harness/next-server';
import { mintSessionToken, type SessionOptions } from '../../tools/clerk/session-tokens';

const ORIGIN = 'http://localhost:3000';
const ORG_ID = clerkId('org');

beforeAll(() => ensureRunSecrets());

async function authAs(options: Omit<SessionOptions, 'origin'>) {
  const token = await mintSessionToken({ ...options, origin: ORIGIN });
  const clerk = createClerkClient({
    secretKey: TEST_CLERK_KEYS.CLERK_SECRET_KEY,
    publishableKey: TEST_CLERK_KEYS.NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY,
    telemetry: { disabled: true },
  });
  const state = await clerk.authenticateRequest(new Request(`${ORIGIN}/team`, { headers: { authorization: `Bearer ${token}` } }), {
    jwtKey: runSecrets().jwtPublicKey,
    authorizedParties: [ORIGIN],
  });
  expect(state.isAuthenticated, state.reason ?? undefined).toBe(true);
  return state.toAuth();
}

describe('session tokens with an active organization', () => {
  it('without one, the session has no organization and no organization role passes', async () => {
    const auth = await authAs({ userId: clerkId('user') });
    expect(auth).toMatchObject({ orgId: undefined, orgRole: undefined });
    expect(auth?.has({ role: 'org:admin' })).toBe(false);
  });

  it("an admin's session carries the organization's id, slug and role, and has({ role: 'org:admin' }) passes", async () => {
    const auth = await authAs({ userId: clerkId('user'), organization: { id: ORG_ID, slug: 'acme', role: 'org:admin' } });
    expect(auth).toMatchObject({ orgId: ORG_ID, orgSlug: 'acme', orgRole: 'org:admin', orgPermissions: [] });
    expect(auth?.has({ role: 'org:admin' })).toBe(true);
  });

  it("a member's session has its own role, and the admin check fails", async () => {
    const auth = await authAs({ userId: clerkId('user'), organization: { id: ORG_ID, slug: 'acme', role: 'org:member' } });
    expect(auth?.orgRole).toBe('org:member');
    expect(auth?.has({ role: 'org:admin' })).toBe(false);
    expect(auth?.has({ role: 'org:member' })).toBe(true);
  });

  it('custom permissions across features come back exactly as given', async () => {
    const permissions = ['org:reports:read', 'org:reports:export', 'org:billing:read'];
    const auth = await authAs({
      userId: clerkId('user'),
      organization: { id: ORG_ID, slug: 'acme', role: 'org:analyst', permissions },
    });
    expect([...(auth?.orgPermissions ?? [])].sort()).toEqual([...permissions].sort());
    expect(auth?.has({ permission: 'org:reports:export' })).toBe(true);
    expect(auth?.has({ permission: 'org:billing:export' })).toBe(false);
  });
});
