import { describe, expect, it } from 'vitest';
import { profileFromClerkUser } from '../../src/users/clerk-user.js';
import { clerkUserIdOf, parseClerkEvent } from '../../src/webhooks/events.js';
import { clerkUser, sessionEvent, userCreatedEvent, userDeletedEvent, userUpdatedEvent } from '../../src/testing/payloads.js';
import { nestedMetadata } from '../support/payloads.js';

function parsedEvent(payload: unknown) {
  const parsed = parseClerkEvent(payload);
  if (parsed.kind !== 'event') throw new Error(`expected an event, got ${JSON.stringify(parsed)}`);
  return parsed.event;
}

describe('event parsing', () => {
  it('parses user.created, user.updated and user.deleted and names the user they concern', () => {
    const user = clerkUser();
    for (const payload of [userCreatedEvent(user), userUpdatedEvent(user), userDeletedEvent(user.id)]) {
      const event = parsedEvent(payload);
      expect(event.type).toBe(payload.type);
      expect(clerkUserIdOf(event)).toBe(user.id);
    }
  });

  it('parses every session event and names the session user', () => {
    for (const type of ['session.created', 'session.ended', 'session.removed', 'session.revoked'] as const) {
      const event = parsedEvent(sessionEvent(type, { userId: 'user_2session' }));
      expect(event.type).toBe(type);
      expect(clerkUserIdOf(event)).toBe('user_2session');
    }
  });

  it('lets unknown fields pass through (Clerk adds fields without notice)', () => {
    const payload = { ...userCreatedEvent(clerkUser()), brand_new_envelope_field: 1 };
    payload.data = { ...payload.data, brand_new_user_field: { nested: true } } as typeof payload.data;
    const event = parsedEvent(payload);
    expect(event).toMatchObject({ brand_new_envelope_field: 1, data: { brand_new_user_field: { nested: true } } });
  });

  it('sorts an event type it does not handle out as unknown, not invalid', () => {
    expect(parseClerkEvent({ type: 'organizationDomain.created', data: { id: 'orgdmn_1' } })).toEqual({
      kind: 'unknown_type',
      type: 'organizationDomain.created',
    });
    expect(parseClerkEvent({ type: 'email.created', data: 'anything' })).toEqual({ kind: 'unknown_type', type: 'email.created' });
  });

  it('rejects payloads that are not an object with a string type', () => {
    for (const payload of [null, [], [userCreatedEvent(clerkUser())], 'user.created', 42, {}, { type: 7 }, { type: '' }]) {
      expect(parseClerkEvent(payload)).toEqual({ kind: 'invalid', reason: 'payload must be a JSON object with a string "type"' });
    }
  });

  const invalidUsers: Array<[string, (data: Record<string, unknown>) => void, RegExp]> = [
    ['id missing', (data) => delete data.id, /^data\.id: /],
    ['data.id an object', (data) => (data.id = { $ne: null }), /^data\.id: .*expected string/],
    ['email_addresses not an array', (data) => (data.email_addresses = 'ada@example.com'), /^data\.email_addresses: .*expected array/],
    ['updated_at missing', (data) => delete data.updated_at, /^data\.updated_at: /],
    ['public_metadata an array', (data) => (data.public_metadata = ['admin']), /^data\.public_metadata: /],
  ];

  for (const [name, corrupt, reason] of invalidUsers) {
    it(`reports a schema violation with a short reason: ${name}`, () => {
      const payload = userUpdatedEvent(clerkUser({ email: 'private.person@example.com', firstName: 'Private' }));
      corrupt(payload.data as unknown as Record<string, unknown>);
      const parsed = parseClerkEvent(payload);
      expect(parsed).toMatchObject({ kind: 'invalid', type: 'user.updated', reason: expect.stringMatching(reason) });
      if (parsed.kind !== 'invalid') return;
      expect(parsed.reason.length).toBeLessThan(120);
      expect(parsed.reason).not.toMatch(/private|Private/); // the reason names the field, never the data
    });
  }

  it('refuses ids that are not Clerk ids, in every event type, before anything could use them', () => {
    const user = userUpdatedEvent(clerkUser());
    expect(parseClerkEvent({ ...user, data: { ...user.data, id: '../../v1/users' } })).toMatchObject({
      kind: 'invalid',
      reason: 'data.id: not a Clerk user id',
    });
    expect(parseClerkEvent({ ...userDeletedEvent('sess_2notAUser'), type: 'user.deleted' })).toMatchObject({
      kind: 'invalid',
      reason: 'data.id: not a Clerk user id',
    });
    const session = sessionEvent('session.created', { userId: 'user_2x' });
    expect(parseClerkEvent({ ...session, data: { ...session.data, user_id: 'sess_2notAUserId' } })).toMatchObject({
      kind: 'invalid',
      reason: 'data.user_id: not a Clerk user id',
    });
    expect(parseClerkEvent({ ...session, data: { ...session.data, id: 'user_2notASession' } })).toMatchObject({
      kind: 'invalid',
      reason: 'data.id: not a Clerk session id',
    });
  });

  it('reports a user.deleted without a string id, and a session event without a user, as schema violations', () => {
    expect(parseClerkEvent({ ...userDeletedEvent('x'), data: { deleted: true } })).toMatchObject({
      kind: 'invalid',
      reason: expect.stringMatching(/^data\.id/),
    });
    const session = sessionEvent('session.created', { userId: 'user_2x' });
    expect(parseClerkEvent({ ...session, data: { ...session.data, user_id: undefined } })).toMatchObject({
      kind: 'invalid',
      reason: expect.stringMatching(/^data\.user_id/),
    });
  });
});

describe('Clerk user → stored profile', () => {
  it('takes the primary email and phone by id, keeps every address, and maps timestamps to dates', () => {
    const user = clerkUser({
      email: 'ada@example.com',
      extraEmails: ['ada@work.example'],
      phone: '+15555550100',
      lastSignInAt: 1_700_000_000_000,
    });
    user.primary_email_address_id = user.email_addresses[1]!.id;
    expect(profileFromClerkUser(parsedUser(user))).toMatchObject({
      clerkId: user.id,
      email: 'ada@work.example',
      emails: ['ada@example.com', 'ada@work.example'],
      phone: '+15555550100',
      firstName: 'Ada',
      lastName: 'Lovelace',
      clerkCreatedAt: new Date(user.created_at),
      clerkUpdatedAt: new Date(user.updated_at),
      lastSignInAt: new Date(1_700_000_000_000),
    });
  });

  it('stores a phone-only user with nulls where Clerk has nothing', () => {
    const user = clerkUser({ email: null, firstName: null, lastName: null, username: null, phone: '+15555550101' });
    expect(profileFromClerkUser(parsedUser(user))).toMatchObject({
      email: null,
      emails: [],
      username: null,
      firstName: null,
      lastName: null,
      phone: '+15555550101',
      lastSignInAt: null,
    });
  });

  it('treats a primary email id that matches no address as no email', () => {
    const user = clerkUser({ email: 'ada@example.com' });
    user.primary_email_address_id = 'idn_gone';
    expect(profileFromClerkUser(parsedUser(user)).email).toBeNull();
  });

  it('stores public metadata with encoded keys, and null metadata as {}', () => {
    const user = clerkUser({ publicMetadata: { 'a.b': 1, $c: '$d' } });
    expect(profileFromClerkUser(parsedUser(user)).publicMetadata).toEqual({ 'a%2Eb': 1, '%24c': '$d' });
    const empty = { ...clerkUser(), public_metadata: null };
    expect(profileFromClerkUser(parsedUser(empty)).publicMetadata).toEqual({});
  });
});

describe('metadata the database could not store, or Clerk would not send', () => {
  it('accepts metadata nested 99 levels deep: with the user document around it, the 100 MongoDB stores', () => {
    expect(parseClerkEvent(userUpdatedEvent(clerkUser({ publicMetadata: nestedMetadata(99) })))).toMatchObject({ kind: 'event' });
  });

  it('refuses metadata nested 100 levels deep, counting arrays as levels too', () => {
    const tooDeep = userUpdatedEvent(clerkUser({ publicMetadata: nestedMetadata(100) }));
    expect(parseClerkEvent(tooDeep)).toEqual({
      kind: 'invalid',
      type: 'user.updated',
      reason: 'data.public_metadata: nested deeper than the 99 levels MongoDB can store',
    });
    const arrays = { list: JSON.parse(`${'['.repeat(99)}1${']'.repeat(99)}`) as unknown };
    expect(parseClerkEvent(userUpdatedEvent(clerkUser({ publicMetadata: arrays })))).toMatchObject({ kind: 'invalid' });
  });

  it('refuses metadata nested hundreds of thousands of levels deep with a reason, not a stack overflow', () => {
    const levels = 300_000;
    const body = JSON.stringify(userUpdatedEvent(clerkUser())).replace(
      '"public_metadata":{}',
      `"public_metadata":${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`,
    );
    expect(parseClerkEvent(JSON.parse(body))).toMatchObject({
      kind: 'invalid',
      reason: expect.stringMatching(/^data\.public_metadata: nested deeper/),
    });
  });

  it("accepts 8 KB of metadata and refuses more: Clerk's own limit", () => {
    const withText = (bytes: number) => ({ note: 'x'.repeat(bytes - '{"note":""}'.length) });
    expect(parseClerkEvent(userUpdatedEvent(clerkUser({ publicMetadata: withText(8 * 1024) })))).toMatchObject({ kind: 'event' });
    expect(parseClerkEvent(userUpdatedEvent(clerkUser({ publicMetadata: withText(8 * 1024 + 1) })))).toEqual({
      kind: 'invalid',
      type: 'user.updated',
      reason: "data.public_metadata: larger than Clerk's 8 KB metadata limit",
    });
  });
});

function parsedUser(user: object) {
  const event = parsedEvent({ ...userUpdatedEvent(clerkUser()), data: user });
  if (event.type !== 'user.updated') throw new Error('unreachable');
  return event.data;
}
