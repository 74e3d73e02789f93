/**
 * The adopter's hooks (onUserCreated, onUserUpdated, onUserDeleted): run after
 * the delivery's write and before its ledger entry, at least once. A hook that
 * throws leaves the delivery unacknowledged (500 `hook_failed`, 503 when the
 * database is away), so Svix's retry runs it again while the write repeats as
 * a no-op; a redelivery of a svix-id already answered 2xx does not run it.
 */
import { MongoNetworkError } from 'mongodb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Hook, UserDeletedContext, UserHookContext } from '../../src/engine/options.js';
import { clerkUser, userCreatedEvent, userDeletedEvent, userUpdatedEvent } from '../../src/testing/payloads.js';
import { signWebhook } from '../../src/testing/svix.js';
import { engine } from '../support/engine.js';
import { ledgerEntry } from '../support/sync-state.js';
import { postToRoute as postTo } from '../support/webhook.js';

type Fields = { plan: string | null };
type Calls = {
  created: UserHookContext<Fields, unknown>[];
  updated: UserHookContext<Fields, unknown>[];
  deleted: UserDeletedContext<Fields>[];
};

/** An engine whose hooks record their calls and run `behaviour` (default: nothing) before returning. */
function engineWithHooks(behaviour: { created?: () => unknown; updated?: () => unknown; deleted?: () => unknown } = {}) {
  const calls: Calls = { created: [], updated: [], deleted: [] };
  const record =
    <C>(into: C[], act?: () => unknown): Hook<C> =>
    async (context) => {
      into.push(context);
      await act?.();
    };
  const sync = engine<Fields>({
    mapUser: ({ public_metadata }) => ({ plan: typeof public_metadata.plan === 'string' ? public_metadata.plan : null }),
    onUserCreated: record(calls.created, behaviour.created),
    onUserUpdated: record(calls.updated, behaviour.updated),
    onUserDeleted: record(calls.deleted, behaviour.deleted),
  });
  const sign = (payload: unknown) => signWebhook(process.env.CLERK_WEBHOOK_SECRET!, payload);
  return { sync, calls, sign, post: (delivery: ReturnType<typeof sign>) => postTo(delivery, sync) };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('hooks run after the write, with the user as stored', () => {
  it('onUserCreated gets the stored document (its mapUser fields too), the event and the database', async () => {
    const { calls, sign, post } = engineWithHooks();
    const user = clerkUser({ firstName: 'Hook', publicMetadata: { plan: 'pro' } });
    expect((await post(sign(userCreatedEvent(user)))).body.outcome).toBe('applied');
    expect(calls.created).toHaveLength(1);
    const [{ user: stored, event, database }] = calls.created as [UserHookContext<Fields, { type: string; data: { id: string } }>];
    expect(stored).toMatchObject({ clerkId: user.id, firstName: 'Hook', plan: 'pro', version: user.updated_at, deletedAt: null });
    expect(event).toMatchObject({ type: 'user.created', data: { id: user.id } });
    expect(await database.collection('users').countDocuments({ clerkId: user.id })).toBe(1);
  });

  it('receives the current state, newer than a stale event’s: an older update after a newer one', async () => {
    const { calls, sign, post } = engineWithHooks();
    const user = clerkUser({ firstName: 'First' });
    await post(sign(userCreatedEvent(user)));
    await post(sign(userUpdatedEvent({ ...user, first_name: 'Newest', updated_at: user.updated_at + 2_000 })));
    const late = await post(sign(userUpdatedEvent({ ...user, first_name: 'Older', updated_at: user.updated_at + 1_000 })));
    expect(late.body.outcome).toBe('stale');
    expect(calls.updated.map(({ user: stored }) => stored.firstName)).toEqual(['Newest', 'Newest']);
  });

  it('onUserCreated runs on a stale user.created too (the user was synced just in time first), so it is never missed', async () => {
    const { sync, calls, sign, post } = engineWithHooks();
    const user = clerkUser();
    expect(await sync.syncUser(user.id, { fetchUser: async () => user })).toBe('applied');
    expect(calls.created).toHaveLength(0); // just-in-time sync runs no hook: the webhook, when it comes, does
    expect((await post(sign(userCreatedEvent(user)))).body.outcome).toBe('stale');
    expect(calls.created).toHaveLength(1);
  });

  it('created and updated hooks skip a user deleted meanwhile; onUserDeleted runs on every user.deleted, with the tombstone', async () => {
    const { calls, sign, post } = engineWithHooks();
    const user = clerkUser();
    await post(sign(userCreatedEvent(user)));
    const deletion = userDeletedEvent(user.id, user.updated_at + 1_000);
    expect((await post(sign(deletion))).body.outcome).toBe('applied');
    expect((await post(sign(userUpdatedEvent({ ...user, updated_at: user.updated_at + 5_000 })))).body.outcome).toBe('stale');
    // Clerk emitting the deletion again (a new svix-id): stale, and the hook runs again (it must be idempotent).
    expect((await post(sign(deletion))).body.outcome).toBe('stale');
    expect(calls.updated).toHaveLength(0);
    expect(calls.deleted.map(({ clerkId, user: tombstone }) => [clerkId, tombstone?.deletedAt, tombstone?.email])).toEqual([
      [user.id, new Date(user.updated_at + 1_000), null],
      [user.id, new Date(user.updated_at + 1_000), null],
    ]);
  });

  it('a redelivery of a svix-id already answered 2xx does not run the hook again; one never acknowledged does', async () => {
    const { calls, sign, post } = engineWithHooks();
    const delivery = sign(userCreatedEvent(clerkUser()));
    expect((await post(delivery)).body.outcome).toBe('applied');
    expect((await post(delivery)).body.outcome).toBe('duplicate');
    expect(calls.created).toHaveLength(1);
  });
});

describe('a hook that fails', () => {
  it('answers 500 hook_failed with the write already durable; Svix’s retry runs the hook again and is acknowledged', async () => {
    let failures = 1;
    const { sync, calls, sign, post } = engineWithHooks({
      created: () => {
        if (failures-- > 0) throw new Error('the welcome email could not be sent to ada@example.com');
      },
    });
    const lines: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((line: unknown) => void lines.push(String(line)));
    const user = clerkUser();
    const delivery = sign(userCreatedEvent(user));

    const first = await post(delivery);
    expect(first).toMatchObject({ status: 500, body: { outcome: 'hook_failed', message: 'onUserCreated failed; retry later' } });
    expect(await sync.users.find(user.id)).toMatchObject({ version: user.updated_at });
    expect(await ledgerEntry(delivery.svixId)).toMatchObject({ outcome: 'hook_failed', status: 500, attempts: 1 });
    // The log names the hook and the error's class, never its message (which may hold user data).
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ outcome: 'hook_failed', status: 500, hook: 'onUserCreated', cause: 'Error' });
    expect(lines.join('\n')).not.toContain('ada@example.com');

    const retry = await post(delivery);
    expect(retry).toMatchObject({ status: 200, body: { outcome: 'stale' } });
    expect(calls.created).toHaveLength(2);
    expect(await ledgerEntry(delivery.svixId)).toMatchObject({ outcome: 'stale', status: 200, attempts: 2 });
  });

  it('answers 503 with Retry-After when the hook failed because the database is away', async () => {
    let failures = 1;
    const { sign, post } = engineWithHooks({
      deleted: () => {
        if (failures-- > 0) throw new MongoNetworkError('connection 9 to 127.0.0.1:27017 closed');
      },
    });
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const user = clerkUser();
    await post(sign(userCreatedEvent(user)));
    const answer = await post(sign(userDeletedEvent(user.id)));
    expect(answer).toMatchObject({ status: 503, body: { outcome: 'unavailable', message: 'database unavailable, retry later' } });
    expect(answer.headers.get('retry-after')).toBe('10');
  });
});
