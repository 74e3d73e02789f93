/**
 * Just-in-time sync on the dashboard's path (`loadCurrentUser`): a signed-in
 * user whose webhook has not arrived is fetched from Clerk's Backend API (the
 * local double, through the real Clerk SDK) and stored through the webhooks'
 * order guard; Clerk failing or stalling leaves the user "pending".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clerkUser, userUpdatedEvent } from '../../tools/clerk/payloads';
import { startClerkApiDoubleForApp, type ClerkApiDouble } from '../../tools/clerk/api-double';
import { usersWithId } from '../support/sync-state';
import { deliver } from '../support/webhook';

let clerk: ClerkApiDouble;

async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}
let loadCurrentUser: typeof import('@/lib/users/current-user').loadCurrentUser;
let CLERK_FETCH_DEADLINE_MS: number;

beforeAll(async () => {
  clerk = await startClerkApiDoubleForApp('sk_test_jitDouble00000000000000000000000');
  ({ loadCurrentUser } = await import('@/lib/users/current-user'));
  ({ CLERK_FETCH_DEADLINE_MS } = await import('@/lib/users/jit'));
});

afterAll(() => clerk.close());

describe('just-in-time sync on first dashboard load', () => {
  it('creates the user from Clerk when no webhook has delivered it yet', async () => {
    const user = clerkUser({ firstName: 'Hedy', lastName: 'Lamarr' });
    clerk.users.put(user);
    expect(await usersWithId(user.id)).toEqual([]);

    const current = await loadCurrentUser(user.id);
    expect(current).toMatchObject({
      state: 'ready',
      user: { clerkId: user.id, firstName: 'Hedy', lastName: 'Lamarr', version: user.updated_at },
    });
    expect(await usersWithId(user.id)).toHaveLength(1);
  });

  /**
   * Both interleavings, each forced rather than left to timing: the webhook's write lands while the
   * sync waits for Clerk's answer (held by the double until then), or the sync completes first.
   */
  it('racing a webhook, leaves one document with the newest version, whichever of the two is newer and writes first', async () => {
    for (const clerkIsNewer of [true, false]) {
      for (const webhookWritesFirst of [true, false]) {
        const base = clerkUser({ firstName: 'Base' });
        const fromClerk = { ...base, first_name: 'From Clerk', updated_at: base.updated_at + (clerkIsNewer ? 2_000 : 1_000) };
        const fromWebhook = { ...base, first_name: 'From webhook', updated_at: base.updated_at + (clerkIsNewer ? 1_000 : 2_000) };
        clerk.users.put(fromClerk);

        let current;
        if (webhookWritesFirst) {
          let release!: () => void;
          clerk.failNext('user', { kind: 'held', until: new Promise<void>((resolve) => (release = resolve)) });
          const asked = clerk.requests.length;
          const loading = loadCurrentUser(base.id);
          await waitFor(() => clerk.requests.slice(asked).some((request) => request.route === 'user'));
          expect((await deliver(userUpdatedEvent(fromWebhook))).status).toBe(200);
          release();
          current = await loading;
        } else {
          current = await loadCurrentUser(base.id);
          expect((await deliver(userUpdatedEvent(fromWebhook))).status).toBe(200);
        }
        expect(current.state).toBe('ready');
        const stored = await usersWithId(base.id);
        expect(stored).toHaveLength(1);
        expect(stored[0]).toMatchObject(
          clerkIsNewer
            ? { firstName: 'From Clerk', version: fromClerk.updated_at }
            : { firstName: 'From webhook', version: fromWebhook.updated_at },
        );
      }
    }
  });

  it('stays "pending", without throwing or writing, when Clerk answers 5xx', async () => {
    const user = clerkUser();
    clerk.users.put(user);
    clerk.failNext('user', { kind: 'server_error', status: 503 });
    expect(await loadCurrentUser(user.id)).toEqual({ state: 'pending' });
    expect(await usersWithId(user.id)).toEqual([]);
    // The next load, with Clerk answering again, gets the profile.
    expect((await loadCurrentUser(user.id)).state).toBe('ready');
  });

  it('stays "pending" once the deadline passes when Clerk is slower than it', async () => {
    const user = clerkUser();
    clerk.users.put(user);
    clerk.failNext('user', { kind: 'slow', delayMs: CLERK_FETCH_DEADLINE_MS + 2_000 });
    const started = Date.now();
    expect(await loadCurrentUser(user.id)).toEqual({ state: 'pending' });
    expect(Date.now() - started).toBeLessThan(CLERK_FETCH_DEADLINE_MS + 1_500);
  });

  it('stays "pending" for a user Clerk does not know (404)', async () => {
    expect(await loadCurrentUser(clerkUser().id)).toEqual({ state: 'pending' });
  });
});
