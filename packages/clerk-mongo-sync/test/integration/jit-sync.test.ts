/**
 * Just-in-time sync (`loadUser`, what `syncedUser` of the Next entry runs): a
 * signed-in user whose webhook has not arrived is fetched from Clerk's
 * Backend API (the local double, through the engine's own client or Clerk's
 * SDK of @clerk/nextjs) and stored through the webhooks' order guard; Clerk
 * failing or stalling leaves the user "pending".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clerkUser, userUpdatedEvent } from '../../src/testing/payloads.js';
import { CLERK_FETCH_DEADLINE_MS, type FetchClerkUser } from '../../src/users/jit.js';
import { startClerkApiDoubleForApp, type ClerkApiDouble } from '../../../../tools/clerk/api-double';
import { clerkSync } from '../support/engine.js';
import { usersWithId } from '../support/sync-state.js';
import { deliver } from '../support/webhook.js';

let clerk: ClerkApiDouble;
let fetchUserWithClerkClient: FetchClerkUser;

async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}

const loadCurrentUser = (clerkId: string) => clerkSync.loadUser(clerkId);

beforeAll(async () => {
  // Before the Next entry loads: Clerk's SDK reads where Clerk is when it loads.
  clerk = await startClerkApiDoubleForApp('sk_test_jitDouble00000000000000000000000');
  ({ fetchUserWithClerkClient } = await import('../../src/next.js'));
});

afterAll(() => clerk.close());

describe('just-in-time sync on first dashboard load', () => {
  it.each(['the engine’s own client', 'Clerk’s SDK (@clerk/nextjs)'])(
    'creates the user from Clerk when no webhook has delivered it yet, through %s',
    async (through) => {
      const user = clerkUser({ firstName: 'Hedy', lastName: 'Lamarr' });
      clerk.users.put(user);
      expect(await usersWithId(user.id)).toEqual([]);

      const fetchUser = through.startsWith('Clerk') ? fetchUserWithClerkClient : undefined;
      const current = await clerkSync.loadUser(user.id, { fetchUser });
      expect(current).toMatchObject({
        state: 'ready',
        user: { clerkId: user.id, firstName: 'Hedy', lastName: 'Lamarr', version: user.updated_at },
      });
      expect(await usersWithId(user.id)).toHaveLength(1);
    },
  );

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

  it('stays "pending" for a user Clerk does not know (404), through either client', async () => {
    expect(await loadCurrentUser(clerkUser().id)).toEqual({ state: 'pending' });
    expect(await clerkSync.loadUser(clerkUser().id, { fetchUser: fetchUserWithClerkClient })).toEqual({ state: 'pending' });
  });

  it('stays "pending", writing nothing, when Clerk refuses the secret key (401)', async () => {
    const user = clerkUser();
    clerk.users.put(user);
    const previous = process.env.CLERK_SECRET_KEY;
    process.env.CLERK_SECRET_KEY = 'sk_test_revoked000000000000000000000000';
    try {
      expect(await loadCurrentUser(user.id)).toEqual({ state: 'pending' });
    } finally {
      process.env.CLERK_SECRET_KEY = previous;
    }
    expect(await usersWithId(user.id)).toEqual([]);
  });
});
