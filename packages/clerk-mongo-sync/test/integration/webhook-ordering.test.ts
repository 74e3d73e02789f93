/**
 * Svix delivers at least once, in any order, concurrently. Each case here is
 * one way that happens; the stored user must always be the newest state, and
 * a deleted user must stay deleted.
 */
import { describe, expect, it } from 'vitest';
import { clerkSync } from '../support/engine.js';
import { clerkUser, userCreatedEvent, userDeletedEvent, userUpdatedEvent, type ClerkUserJsonFixture } from '../../src/testing/payloads.js';
import { signWebhook } from '../../src/testing/svix.js';
import { ledgerEntry, storedUser, tombstone, usersWithId } from '../support/sync-state.js';
import { deliver, postToRoute } from '../support/webhook.js';

/** The same user as Clerk would send it after an edit `ms` later. */
function editedLater(user: ClerkUserJsonFixture, ms: number, changes: Partial<ClerkUserJsonFixture> = {}): ClerkUserJsonFixture {
  return { ...user, ...changes, updated_at: user.updated_at + ms };
}

async function outcomeOf(payload: unknown) {
  const answer = await deliver(payload);
  expect(answer.status).toBe(200);
  return answer.body.outcome;
}

describe('idempotency', () => {
  it('a replayed delivery (same svix-id) is a 200 no-op', async () => {
    const user = clerkUser();
    const delivery = signWebhook(process.env.CLERK_WEBHOOK_SECRET!, userCreatedEvent(user));
    expect((await postToRoute(delivery)).body.outcome).toBe('applied');
    const before = await storedUser(user.id);

    const replay = await postToRoute(delivery);
    expect(replay).toMatchObject({ status: 200, body: { outcome: 'duplicate' } });
    expect(await storedUser(user.id)).toEqual(before); // not even updatedAt moved
    expect(await ledgerEntry(delivery.svixId)).toMatchObject({ outcome: 'applied', status: 200, attempts: 2 }); // the replay is counted, the first answer kept
  });
});

describe('order guard', () => {
  it('update-before-create: the update creates the user, the late create is stale', async () => {
    const created = clerkUser({ username: 'first' });
    const updated = editedLater(created, 1_000, { username: 'second' });
    expect(await outcomeOf(userUpdatedEvent(updated))).toBe('applied');
    expect(await outcomeOf(userCreatedEvent(created))).toBe('stale');
    expect(await clerkSync.users.find(created.id)).toMatchObject({ username: 'second', version: updated.updated_at });
  });

  it('an older update after a newer one is a no-op', async () => {
    const user = clerkUser();
    await deliver(userCreatedEvent(user));
    const older = editedLater(user, 1_000, { first_name: 'Older' });
    const newer = editedLater(user, 2_000, { first_name: 'Newer' });
    expect(await outcomeOf(userUpdatedEvent(newer))).toBe('applied');
    expect(await outcomeOf(userUpdatedEvent(older))).toBe('stale');
    expect(await clerkSync.users.find(user.id)).toMatchObject({ firstName: 'Newer', version: newer.updated_at });
  });

  it('an event with a version equal to the stored one is stale: the first one stays', async () => {
    const user = clerkUser({ firstName: 'Stored' });
    await deliver(userCreatedEvent(user));
    const before = await storedUser(user.id);
    expect(await outcomeOf(userUpdatedEvent({ ...user, first_name: 'Same version, other data' }))).toBe('stale');
    expect(await storedUser(user.id)).toEqual(before);
  });

  it('delete-then-late-update: no resurrection, and the tombstone holds no PII', async () => {
    const user = clerkUser({
      username: 'ada_l',
      phone: '+15555550125',
      publicMetadata: { plan: 'enterprise-gold' },
      lastSignInAt: Date.now(),
    });
    await deliver(userCreatedEvent(user));
    const deletedAt = user.updated_at + 5_000;
    expect(await outcomeOf(userDeletedEvent(user.id, deletedAt))).toBe('applied');

    // A late update, even one that claims to be newer than the delete, never brings the user back.
    for (const late of [editedLater(user, 1_000), editedLater(user, 60_000, { first_name: 'Zombie' })]) {
      expect(await outcomeOf(userUpdatedEvent(late))).toBe('stale');
    }
    expect(await outcomeOf(userCreatedEvent(user))).toBe('stale');
    expect(await outcomeOf(userDeletedEvent(user.id, deletedAt + 1))).toBe('stale');

    const stored = await storedUser(user.id);
    expect(stored).toMatchObject(tombstone(user.id, deletedAt));
    const pii = [
      user.username,
      user.first_name,
      user.last_name,
      user.email_addresses[0]!.email_address,
      '+15555550125',
      user.image_url,
      'enterprise-gold',
    ];
    const storedText = JSON.stringify(stored);
    for (const value of pii) expect(storedText).not.toContain(value);
  });

  it('deleting an unknown user leaves a tombstone, so its late create is stale', async () => {
    const user = clerkUser();
    const deletedAt = user.updated_at + 1_000;
    expect(await outcomeOf(userDeletedEvent(user.id, deletedAt))).toBe('applied');
    expect(await storedUser(user.id)).toMatchObject(tombstone(user.id, deletedAt));
    expect(await outcomeOf(userCreatedEvent(user))).toBe('stale');
    expect(await usersWithId(user.id)).toHaveLength(1);
  });
});

describe('concurrency', () => {
  it('20 parallel deliveries for one new user leave exactly one document, holding the newest version', async () => {
    const created = clerkUser();
    const versions = Array.from({ length: 20 }, (_, index) => editedLater(created, index * 1_000, { first_name: `v${index}` }));
    const payloads = versions.map((user, index) => (index === 0 ? userCreatedEvent(user) : userUpdatedEvent(user)));
    payloads.reverse(); // the newest starts first: it must not lose to older ones that insert before it

    const answers = await Promise.all(payloads.map((payload) => deliver(payload)));
    expect(answers.map((answer) => answer.status)).toEqual(Array(20).fill(200));
    expect(answers.filter((answer) => answer.body.outcome === 'applied').length).toBeGreaterThanOrEqual(1);

    expect(await usersWithId(created.id)).toHaveLength(1);
    expect(await clerkSync.users.find(created.id)).toMatchObject({ firstName: 'v19', version: versions[19]!.updated_at });
  });

  it('a create racing a delete for a new user always ends deleted', async () => {
    for (let round = 0; round < 5; round++) {
      const user = clerkUser();
      const deletedAt = user.updated_at + 1_000;
      const answers = await Promise.all([deliver(userCreatedEvent(user)), deliver(userDeletedEvent(user.id, deletedAt))]);
      expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
      expect(await usersWithId(user.id)).toHaveLength(1);
      expect(await storedUser(user.id)).toMatchObject(tombstone(user.id, deletedAt));
    }
  });
});

describe('users without email, username or name', () => {
  it('stores two phone-only users side by side', async () => {
    const phoneOnly = (phone: string) => clerkUser({ email: null, username: null, firstName: null, lastName: null, phone });
    const first = phoneOnly('+15555550131');
    const second = phoneOnly('+15555550132');
    expect(await outcomeOf(userCreatedEvent(first))).toBe('applied');
    expect(await outcomeOf(userCreatedEvent(second))).toBe('applied');
    for (const [user, phone] of [
      [first, '+15555550131'],
      [second, '+15555550132'],
    ] as const) {
      expect(await clerkSync.users.find(user.id)).toMatchObject({
        email: null,
        emails: [],
        username: null,
        firstName: null,
        lastName: null,
        phone,
      });
    }
  });
});
