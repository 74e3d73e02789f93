/**
 * Presence from session events, through the engine's webhook pipeline:
 * `isOnline` is true while the user has a live session we know of,
 * `onlineUntil` says until when, `lastSeen` is the latest activity and never
 * moves backwards, whatever order, duplication or concurrency the deliveries
 * come with. Seeded: rerun a failure with PROPERTY_SEED=<seed>.
 *
 * The pipeline computes presence as of the real clock, and these events are
 * an hour old: the presence window is set to a day here so that only the
 * session rules decide. The window, expiry and abandonment have their own
 * tests with an injected clock (presence-clock.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { hasLiveSession, recordSession } from '../../src/presence/sessions.js';
import { clerkId, clerkUser, sessionEvent, userCreatedEvent, userDeletedEvent, type SessionEventType } from '../../src/testing/payloads.js';
import { signWebhook, type SignedWebhook, type SignOptions } from '../../src/testing/svix.js';
import { correctOnline, notePresence } from '../../src/users/presence.js';
import { hasProfile } from '../../src/users/schema.js';
import { seededRandom, type Rng } from '../../../../tools/harness/random';
import { engine, store } from '../support/engine.js';
import { storedUser } from '../support/sync-state.js';
import { deliver as deliverTo, postToRoute as postTo } from '../support/webhook.js';

const SEED = Number(process.env.PROPERTY_SEED ?? 20_250_707);

const DAY = 24 * 3600_000;
const clerkSync = engine({ presence: { windowSeconds: DAY / 1000 } });
const deliver = (payload: unknown, options?: SignOptions) => deliverTo(payload, options, clerkSync);
const postToRoute = (delivery: SignedWebhook) => postTo(delivery, clerkSync);

/** A user online from `lastSeen` on, for a day (the window), as stored: their sessions outlast it. */
const onlineSince = (lastSeen: number) => ({ isOnline: true, lastSeen: new Date(lastSeen), onlineUntil: new Date(lastSeen + DAY) });
const offlineSince = (lastSeen: number) => ({ isOnline: false, lastSeen: new Date(lastSeen), onlineUntil: null });

async function outcomeOf(payload: unknown): Promise<string> {
  const answer = await deliver(payload);
  expect(answer.status).toBe(200);
  return answer.body.outcome;
}

async function presenceOf(userId: string) {
  const user = await clerkSync.users.find(userId);
  return user && { isOnline: user.isOnline, lastSeen: user.lastSeen, onlineUntil: user.onlineUntil };
}

async function newUser(): Promise<string> {
  const user = clerkUser();
  await deliver(userCreatedEvent(user));
  return user.id;
}

const T = Date.now() - 3_600_000;

describe('presence from session events', () => {
  it('session.created sets isOnline, onlineUntil and lastSeen; each of ended, removed and revoked takes them back', async () => {
    for (const ending of ['session.ended', 'session.removed', 'session.revoked'] as const) {
      const userId = await newUser();
      const sessionId = clerkId('sess');
      expect(await outcomeOf(sessionEvent('session.created', { userId, sessionId, at: T }))).toBe('applied');
      expect(await presenceOf(userId)).toEqual(onlineSince(T));
      expect(await outcomeOf(sessionEvent(ending, { userId, sessionId, at: T + 60_000, createdAt: T }))).toBe('applied');
      expect(await presenceOf(userId)).toEqual(offlineSince(T + 60_000));
    }
  });

  it('a user signed in on two devices stays online until both sessions end', async () => {
    const userId = await newUser();
    const [laptop, phone] = [clerkId('sess'), clerkId('sess')];
    await deliver(sessionEvent('session.created', { userId, sessionId: laptop, at: T }));
    await deliver(sessionEvent('session.created', { userId, sessionId: phone, at: T + 1_000 }));
    await deliver(sessionEvent('session.ended', { userId, sessionId: laptop, at: T + 2_000, createdAt: T }));
    expect(await presenceOf(userId)).toMatchObject({ isOnline: true });
    await deliver(sessionEvent('session.revoked', { userId, sessionId: phone, at: T + 3_000, createdAt: T + 1_000 }));
    expect(await presenceOf(userId)).toEqual(offlineSince(T + 3_000));
  });

  it('lastSeen never moves backwards: an older event of another session leaves it where it is', async () => {
    const userId = await newUser();
    await deliver(sessionEvent('session.created', { userId, at: T + 10_000 }));
    await deliver(sessionEvent('session.created', { userId, at: T }));
    expect(await presenceOf(userId)).toEqual(onlineSince(T + 10_000));
  });

  it('a late session.created for a session that already ended is stale and does not bring the user online', async () => {
    const userId = await newUser();
    const sessionId = clerkId('sess');
    await deliver(sessionEvent('session.ended', { userId, sessionId, at: T + 5_000, createdAt: T }));
    expect(await outcomeOf(sessionEvent('session.created', { userId, sessionId, at: T }))).toBe('stale');
    expect(await presenceOf(userId)).toEqual(offlineSince(T + 5_000));
  });

  it('a session event for a deleted user changes nothing: no presence, no session recorded', async () => {
    const user = clerkUser();
    await deliver(userCreatedEvent(user));
    await deliver(userDeletedEvent(user.id, user.updated_at + 1_000));
    const before = await storedUser(user.id);
    const sessionId = clerkId('sess');
    for (const type of ['session.created', 'session.ended'] as const) {
      expect(await outcomeOf(sessionEvent(type, { userId: user.id, sessionId }))).toBe('stale');
    }
    expect(await storedUser(user.id)).toEqual(before);
    expect(await (await store()).sessions.countDocuments({ clerkId: user.id })).toBe(0);
  });

  it('a session event before user.created creates a presence stub (not a profile), which the profile later fills', async () => {
    const user = clerkUser({ firstName: 'Early' });
    expect(await outcomeOf(sessionEvent('session.created', { userId: user.id, at: T }))).toBe('applied');
    const stub = await clerkSync.users.find(user.id);
    expect(stub).toMatchObject({
      version: 0,
      isOnline: true,
      lastSeen: new Date(T),
      deletedAt: null,
      firstName: null,
      email: null,
      emails: [],
    });
    expect(hasProfile(stub!)).toBe(false);

    expect(await outcomeOf(userCreatedEvent(user))).toBe('applied');
    const filled = await clerkSync.users.find(user.id);
    expect(filled).toMatchObject({ version: user.updated_at, firstName: 'Early', isOnline: true, lastSeen: new Date(T), _id: stub!._id });
    expect(hasProfile(filled!)).toBe(true);
  });

  it('a session ending while another begins, concurrently, never leaves the user offline (10 rounds)', async () => {
    for (let round = 0; round < 10; round++) {
      const userId = await newUser();
      const [old, fresh] = [clerkId('sess'), clerkId('sess')];
      await deliver(sessionEvent('session.created', { userId, sessionId: old, at: T }));
      await Promise.all([
        deliver(sessionEvent('session.ended', { userId, sessionId: old, at: T + 1_000, createdAt: T })),
        deliver(sessionEvent('session.created', { userId, sessionId: fresh, at: T + 1_000 })),
      ]);
      expect(await presenceOf(userId), `round ${round}`).toMatchObject({ isOnline: true });
    }
  });

  it('in the race window, a recompute that looked before another session began cannot write its "offline" last', async () => {
    const userId = await newUser();
    const [old, fresh] = [clerkId('sess'), clerkId('sess')];
    await deliver(sessionEvent('session.created', { userId, sessionId: old, at: T }));

    // Event A (old session ends) records its session, takes a generation and finds no active session…
    const engineStore = await store();
    await recordSession(engineStore, {
      sessionId: old,
      clerkId: userId,
      status: 'ended',
      version: T + 1_000,
      expireAt: null,
      abandonAt: null,
    });
    const ticketA = await notePresence(engineStore, userId, new Date(T + 1_000));
    const onlineA = await hasLiveSession(engineStore, userId, new Date());
    expect(onlineA).toBe(false);
    // …then event B (a new session) runs to completion…
    expect(await outcomeOf(sessionEvent('session.created', { userId, sessionId: fresh, at: T + 1_000 }))).toBe('applied');
    // …and only then does A write what it found.
    if (ticketA.kind !== 'live') throw new Error('user deleted');
    await correctOnline(engineStore, [{ clerkId: userId, generation: ticketA.generation, isOnline: onlineA, onlineUntil: null }]);

    expect(await presenceOf(userId)).toMatchObject({ isOnline: true });
  });
});

type Payload = ReturnType<typeof sessionEvent> | ReturnType<typeof userCreatedEvent>;

/** One user's sessions at Clerk: each starts, most end one way or another; `at` strictly increases per session. */
type SessionPlan = { created: number; ending?: { type: Exclude<SessionEventType, 'session.created'>; at: number } };

function planSessions(rng: Rng): SessionPlan[] {
  return Array.from({ length: rng.int(1, 3) }, () => {
    const created = T + rng.int(0, 600_000);
    if (rng.chance(0.35)) return { created };
    const type = rng.pick(['session.ended', 'session.removed', 'session.revoked'] as const);
    return { created, ending: { type, at: created + rng.int(1, 300_000) } };
  });
}

/** The events of `plan` for `userId` (fresh session ids, so twins never share a session), user.created included. */
function historyOf(userId: string, plan: SessionPlan[]): Payload[] {
  const events: Payload[] = [userCreatedEvent(clerkUser({ id: userId, createdAt: T - 60_000 }))];
  for (const session of plan) {
    const sessionId = clerkId('sess');
    events.push(sessionEvent('session.created', { userId, sessionId, at: session.created }));
    if (session.ending)
      events.push(sessionEvent(session.ending.type, { userId, sessionId, at: session.ending.at, createdAt: session.created }));
  }
  return events;
}

function expectedPresence(plan: SessionPlan[]) {
  const times = plan.flatMap((session) => [session.created, ...(session.ending ? [session.ending.at] : [])]);
  const lastSeen = Math.max(...times);
  return plan.some((session) => !session.ending) ? onlineSince(lastSeen) : offlineSince(lastSeen);
}

async function deliverAll(deliveries: SignedWebhook[], concurrency: number) {
  for (let start = 0; start < deliveries.length; start += concurrency) {
    const answers = await Promise.all(deliveries.slice(start, start + concurrency).map((delivery) => postToRoute(delivery)));
    for (const answer of answers) expect(answer.status, `seed ${SEED}: ${JSON.stringify(answer.body)}`).toBe(200);
  }
}

describe('presence converges however the session events arrive', () => {
  it('shuffled, duplicated and concurrent deliveries for several users give the in-order presence', async () => {
    const rng = seededRandom(SEED);
    const sign = (payload: Payload) => signWebhook(process.env.CLERK_WEBHOOK_SECRET!, payload);
    const users = Array.from({ length: 12 }, () => ({ plan: planSessions(rng), inOrder: clerkId('user'), shuffled: clerkId('user') }));

    for (const user of users) await deliverAll(historyOf(user.inOrder, user.plan).map(sign), 1);

    const mixed = users.flatMap((user) => historyOf(user.shuffled, user.plan).map(sign));
    // Svix redelivers under the same id; Clerk may emit an event twice under different ids.
    const redelivered = mixed.filter(() => rng.chance(0.3));
    const reemitted = mixed.filter(() => rng.chance(0.2)).map((delivery) => sign(JSON.parse(delivery.body) as Payload));
    await deliverAll(rng.shuffle([...mixed, ...redelivered, ...reemitted]), 6);

    for (const user of users) {
      const expected = expectedPresence(user.plan);
      expect(await presenceOf(user.inOrder), `seed ${SEED}, in order`).toEqual(expected);
      expect(await presenceOf(user.shuffled), `seed ${SEED}, shuffled`).toEqual(expected);
    }
  });
});
