/**
 * What the engine's options change, against the real database: the app's own
 * fields (`mapUser`) beside the profile, under the order guard, gone with the
 * tombstone; collection names of the app's choosing; the event types handled.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createClerkSync } from '../../src/engine/create.js';
import {
  clerkUser,
  membershipCreatedEvent,
  membershipPayload,
  sessionEvent,
  userCreatedEvent,
  userDeletedEvent,
  userUpdatedEvent,
} from '../../src/testing/payloads.js';
import { database, engine } from '../support/engine.js';
import { deliver } from '../support/webhook.js';

afterEach(() => {
  vi.restoreAllMocks();
});

type Role = { role: string | null; team: string | null };
const withRole = engine<Role>({
  mapUser: ({ public_metadata }) => ({
    role: typeof public_metadata.role === 'string' ? public_metadata.role : null,
    team: typeof public_metadata.team === 'string' ? public_metadata.team : null,
  }),
});

describe('mapUser: the app’s own fields', () => {
  it('are stored at the top level beside the profile, so the app queries them as it likes', async () => {
    const admin = clerkUser({ publicMetadata: { role: 'admin', team: 'core' } });
    expect((await deliver(userCreatedEvent(admin), {}, withRole)).body.outcome).toBe('applied');
    expect(await withRole.users.find(admin.id)).toMatchObject({ clerkId: admin.id, role: 'admin', team: 'core' });
    const admins = await (await withRole.users.collection()).find({ role: 'admin', clerkId: admin.id }).toArray();
    expect(admins.map((user) => user.clerkId)).toEqual([admin.id]);
  });

  it('are written under the order guard: an older event never overwrites them, a newer one does', async () => {
    const user = clerkUser({ publicMetadata: { role: 'member' } });
    await deliver(userCreatedEvent(user), {}, withRole);
    await deliver(userUpdatedEvent({ ...user, public_metadata: { role: 'admin' }, updated_at: user.updated_at + 2_000 }), {}, withRole);
    const late = await deliver(
      userUpdatedEvent({ ...user, public_metadata: { role: 'banned' }, updated_at: user.updated_at + 1_000 }),
      {},
      withRole,
    );
    expect(late.body.outcome).toBe('stale');
    expect(await withRole.users.find(user.id)).toMatchObject({ role: 'admin', team: null });
  });

  it('go with the tombstone, whatever they were: it keeps only the engine’s fixed shape', async () => {
    const user = clerkUser({ publicMetadata: { role: 'admin', team: 'core' } });
    await deliver(userCreatedEvent(user), {}, withRole);
    // A field nobody declared (written by other code): the tombstone removes it too.
    await database()
      .collection('users')
      .updateOne({ clerkId: user.id }, { $set: { notes: 'called Ada on Tuesday' } });
    await deliver(userDeletedEvent(user.id, user.updated_at + 1_000), {}, withRole);
    const tombstone = await database()
      .collection('users')
      .findOne({ clerkId: user.id }, { projection: { _id: 0 } });
    expect(Object.keys(tombstone!).sort()).toEqual(
      [
        'clerkId',
        'createdAt',
        'deletedAt',
        'version',
        'updatedAt',
        'email',
        'emails',
        'username',
        'firstName',
        'lastName',
        'imageUrl',
        'phone',
        'publicMetadata',
        'clerkCreatedAt',
        'clerkUpdatedAt',
        'lastSignInAt',
        'isOnline',
        'lastSeen',
        'onlineUntil',
      ].sort(),
    );
    expect(tombstone).toMatchObject({ email: null, publicMetadata: {}, deletedAt: new Date(user.updated_at + 1_000) });
  });

  it('are filled in by just-in-time sync too, not only by webhooks', async () => {
    const user = clerkUser({ publicMetadata: { role: 'editor' } });
    expect(await withRole.syncUser(user.id, { fetchUser: async () => user })).toBe('applied');
    expect(await withRole.users.find(user.id)).toMatchObject({ role: 'editor' });
  });

  it('may not name one of the engine’s fields: the delivery fails (500) and says why in the log, writing nothing', async () => {
    const clashing = engine({ mapUser: () => ({ email: 'not yours' }) });
    const lines: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((line: unknown) => void lines.push(String(line)));
    const user = clerkUser();
    expect(await deliver(userCreatedEvent(user), {}, clashing)).toMatchObject({ status: 500, body: { outcome: 'internal_error' } });
    expect(JSON.parse(lines.at(-1)!).cause).toBe('ClerkSyncConfigError: mapUser returned "email", one of the engine\'s own fields');
    expect(await clashing.users.find(user.id)).toBeNull();
  });
});

describe('collection names of the app’s choosing', () => {
  it('put every document the engine writes into them, with their indexes', async () => {
    const collections = {
      users: 'members',
      deliveries: 'clerk_deliveries',
      sessions: 'member_sessions',
      syncRuns: 'member_syncs',
      organizations: 'teams',
      memberships: 'team_members',
    };
    const named = engine({ collections });
    const user = clerkUser();
    await deliver(userCreatedEvent(user), {}, named);
    await deliver(sessionEvent('session.created', { userId: user.id }), {}, named);
    const membership = membershipPayload({ user });
    await deliver(membershipCreatedEvent(membership), {}, named);
    expect(await database().collection('teams').countDocuments({ clerkOrgId: membership.organization.id })).toBe(1);
    expect(await database().collection('team_members').countDocuments({ clerkUserId: user.id })).toBe(1);
    expect(await database().collection('memberships').countDocuments({ clerkUserId: user.id })).toBe(0);
    expect(await database().collection('members').countDocuments({ clerkId: user.id })).toBe(1);
    expect(await database().collection('member_sessions').countDocuments({ clerkId: user.id })).toBe(1);
    expect(await database().collection('clerk_deliveries').countDocuments({ clerkId: user.id })).toBe(3);
    expect(await database().collection('users').countDocuments({ clerkId: user.id })).toBe(0);
    expect(await named.missingIndexes()).toEqual([]);
    expect(named.collections).toEqual(collections);
  });
});

describe('the event types handled', () => {
  it('answers the others 200 "ignored", with a ledger entry and no write', async () => {
    const usersOnly = engine({ events: ['user.*'] });
    const user = clerkUser();
    await deliver(userCreatedEvent(user), {}, usersOnly);
    const answer = await deliver(sessionEvent('session.created', { userId: user.id }), {}, usersOnly);
    expect(answer).toMatchObject({ status: 200, body: { outcome: 'ignored', message: 'event type session.created is not handled' } });
    expect(await usersOnly.users.find(user.id)).toMatchObject({ lastSeen: null, onlineUntil: null });
    expect(await database().collection('sessions').countDocuments({ clerkId: user.id })).toBe(0);
  });
});

describe('the database option', () => {
  it('takes a Db as well as a function, and a promise of one', async () => {
    const direct = createClerkSync({ database: database() });
    const promised = createClerkSync({ database: async () => database() });
    const user = clerkUser();
    await deliver(userCreatedEvent(user), {}, direct);
    expect(await promised.users.find(user.id)).toMatchObject({ clerkId: user.id });
  });
});
