/**
 * One delivery of each kind through the real route handler into the real
 * database: what is stored, what is answered, what is logged.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { clerkWebhookRoute } from '../../src/next.js';
import { clerkSync } from '../support/engine.js';
import { clerkUser, sessionEvent, userCreatedEvent, userDeletedEvent, userUpdatedEvent } from '../../src/testing/payloads.js';
import { signWebhook } from '../../src/testing/svix.js';
import { ledgerEntry, storedUser, tombstone, usersWithId } from '../support/sync-state.js';
import { deliver, postToRoute } from '../support/webhook.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('happy path per event type', () => {
  it('user.created stores the whole user document', async () => {
    const user = clerkUser({
      username: 'ada',
      email: 'ada@example.com',
      extraEmails: ['ada@work.example'],
      phone: '+15555550123',
      publicMetadata: { role: 'member' },
      lastSignInAt: Date.now() - 1_000,
    });
    const answer = await deliver(userCreatedEvent(user));
    expect(answer).toMatchObject({ status: 200, body: { outcome: 'applied', message: 'applied' } });

    expect(await usersWithId(user.id)).toHaveLength(1);
    expect(await clerkSync.users.find(user.id)).toEqual({
      _id: expect.anything(),
      clerkId: user.id,
      email: 'ada@example.com',
      emails: ['ada@example.com', 'ada@work.example'],
      username: 'ada',
      firstName: 'Ada',
      lastName: 'Lovelace',
      imageUrl: user.image_url,
      phone: '+15555550123',
      publicMetadata: { role: 'member' },
      clerkCreatedAt: new Date(user.created_at),
      clerkUpdatedAt: new Date(user.updated_at),
      lastSignInAt: new Date(user.last_sign_in_at!),
      createdAt: expect.any(Date),
      updatedAt: expect.any(Date),
      deletedAt: null,
      isOnline: false,
      lastSeen: null,
      onlineUntil: null,
      version: user.updated_at,
    });
  });

  it('user.updated replaces the profile with the newer one', async () => {
    const user = clerkUser({ username: 'ada' });
    await deliver(userCreatedEvent(user));
    const renamed = { ...user, username: 'countess', first_name: 'Augusta', updated_at: user.updated_at + 5_000 };
    expect((await deliver(userUpdatedEvent(renamed))).body.outcome).toBe('applied');
    expect(await clerkSync.users.find(user.id)).toMatchObject({ username: 'countess', firstName: 'Augusta', version: renamed.updated_at });
  });

  it('user.deleted turns the user into a tombstone without PII', async () => {
    const user = clerkUser({ username: 'ada', phone: '+15555550124', publicMetadata: { plan: 'pro' }, lastSignInAt: Date.now() });
    await deliver(userCreatedEvent(user));
    const deletedAt = user.updated_at + 10_000;
    expect((await deliver(userDeletedEvent(user.id, deletedAt))).body.outcome).toBe('applied');
    expect(await storedUser(user.id)).toMatchObject(tombstone(user.id, deletedAt));
  });

  it('session events are applied to presence: created sets the user online, ended/removed/revoked offline', async () => {
    const user = clerkUser();
    await deliver(userCreatedEvent(user));
    const sessionId = 'sess_2deliveryTestSession00000000';
    const startedAt = Date.now() - 10_000;
    const steps = [
      ['session.created', true],
      ['session.ended', false],
      ['session.removed', false],
      ['session.revoked', false],
    ] as const;
    for (const [index, [type, isOnline]] of steps.entries()) {
      const answer = await deliver(sessionEvent(type, { userId: user.id, sessionId, createdAt: startedAt, at: startedAt + index * 1_000 }));
      expect(answer).toMatchObject({ status: 200, body: { outcome: 'applied' } });
      expect(await clerkSync.users.find(user.id)).toMatchObject({ isOnline, lastSeen: new Date(startedAt + index * 1_000) });
    }
  });

  it('an unknown event type is acknowledged with 200 "ignored" and writes no user', async () => {
    const delivery = signWebhook(process.env.CLERK_WEBHOOK_SECRET!, {
      type: 'organizationInvitation.created',
      object: 'event',
      timestamp: Date.now(),
      data: { id: 'orginv_2abc', email_address: 'invitee@example.com', organization_id: 'org_2abc', inviter_id: 'user_2unknownInviter' },
    });
    const answer = await postToRoute(delivery);
    expect(answer).toMatchObject({ status: 200, body: { outcome: 'ignored' } });
    expect(await usersWithId('user_2unknownInviter')).toEqual([]);
    expect(await ledgerEntry(delivery.svixId)).toMatchObject({ outcome: 'ignored', type: 'organizationInvitation.created', clerkId: null });
  });
});

describe('methods other than POST (the Next route)', () => {
  const { GET, PUT, PATCH, DELETE, OPTIONS } = clerkWebhookRoute(clerkSync);
  for (const [method, handler] of Object.entries({ GET, PUT, PATCH, DELETE, OPTIONS })) {
    it(`answers ${method} with 405 and Allow: POST`, async () => {
      const response = handler();
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('POST');
      expect(await response.json()).toEqual({ message: 'method not allowed: deliveries are POSTed' });
    });
  }
});

describe('what a delivery answers and logs', () => {
  const email = 'grace.hopper@example.com';

  it('logs exactly one JSON line per delivery with id, type, outcome, status and duration, and no PII', async () => {
    const lines: string[] = [];
    for (const level of ['log', 'info', 'warn', 'error'] as const) {
      vi.spyOn(console, level).mockImplementation((line: unknown) => void lines.push(String(line)));
    }
    const user = clerkUser({ email, firstName: 'Grace', lastName: 'Hopper', username: 'amazing_grace' });
    const applied = signWebhook(process.env.CLERK_WEBHOOK_SECRET!, userCreatedEvent(user));
    const invalid = signWebhook(process.env.CLERK_WEBHOOK_SECRET!, { ...userUpdatedEvent(user), data: { ...user, id: 42 } });
    const unsigned = { ...applied, headers: { ...applied.headers, 'svix-signature': 'v1,AAAA' } };

    for (const delivery of [applied, applied, invalid, unsigned]) await postToRoute(delivery);

    expect(lines).toHaveLength(4);
    const logged = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(logged.map(({ svixId, type, outcome, status }) => ({ svixId, type, outcome, status }))).toEqual([
      { svixId: applied.svixId, type: 'user.created', outcome: 'applied', status: 200 },
      { svixId: applied.svixId, type: 'user.created', outcome: 'duplicate', status: 200 },
      { svixId: invalid.svixId, type: 'user.updated', outcome: 'schema_violation', status: 422 },
      { svixId: null, type: null, outcome: 'bad_signature', status: 400 },
    ]);
    for (const entry of logged) {
      expect(Object.keys(entry).sort()).toEqual(['durationMs', 'event', 'outcome', 'status', 'svixId', 'type']);
      expect(entry.durationMs).toEqual(expect.any(Number));
    }
    expect(lines.join('\n')).not.toMatch(/grace|hopper|amazing/i);
  });

  it('answers only an outcome and a short message: no stack trace, no payload data', async () => {
    const user = clerkUser({ email, firstName: 'Grace', lastName: 'Hopper' });
    const answers = [
      await deliver(userCreatedEvent(user)),
      await deliver({ ...userUpdatedEvent(user), data: { ...user, email_addresses: email } }),
      await postToRoute({ body: JSON.stringify(userCreatedEvent(user)), headers: {} }),
    ];
    for (const answer of answers) {
      expect(Object.keys(answer.body).sort()).toEqual(['message', 'outcome']);
      expect(answer.body.message.length).toBeLessThan(120);
      expect(JSON.stringify(answer.body)).not.toMatch(/grace|hopper|\bat \/|\.ts:\d+/i);
      expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    }
  });
});
