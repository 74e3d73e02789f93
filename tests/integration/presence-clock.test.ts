/**
 * Presence as of now, with a controllable clock: every presence function
 * takes `now`, and these tests pass it (the database is real; nothing
 * patches global time). A user is online only with a live session (not
 * ended, removed or revoked, expire_at and abandon_at ahead) and activity
 * within the window (the default, 5 minutes). Clerk sends no event when a
 * session expires, is abandoned or goes idle: these all happen here with no
 * event at all, only time passing.
 */
import { describe, expect, it } from 'vitest';
import { db } from '@/lib/db/client';
import { presenceNow } from '@/lib/presence/current';
import { recordHeartbeat, type HeartbeatOutcome } from '@/lib/presence/heartbeat';
import { loadPeople } from '@/lib/presence/people';
import { sessionsCollection } from '@/lib/presence/sessions';
import { trackSession } from '@/lib/presence/track';
import { applyEvent, sessionReportOf } from '@/lib/webhooks/apply';
import { parseClerkEvent, type SessionEvent } from '@/lib/webhooks/events';
import { findUserByClerkId } from '@/lib/users/repository';
import { clerkId, clerkUser, sessionEvent, userCreatedEvent, userDeletedEvent, type SessionEventType } from '../../tools/clerk/payloads';
import { deliver } from '../support/webhook';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const WINDOW = 5 * MINUTE;
/** The tests' clock starts here; every `now` is an offset from it. */
const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);
const at = (offsetMs: number) => new Date(T0 + offsetMs);

async function syncedUser(): Promise<string> {
  const user = clerkUser({ createdAt: T0 - 24 * 3600_000 });
  await applyEvent(parseEvent(userCreatedEvent(user)), at(0));
  return user.id;
}

function parseEvent(payload: unknown) {
  const parsed = parseClerkEvent(payload);
  if (parsed.kind !== 'event') throw new Error(`fixture did not parse: ${JSON.stringify(parsed)}`);
  return parsed.event;
}

type SessionOptions = Omit<Parameters<typeof sessionEvent>[1], 'at'> & { at: number };

/** Clerk's session event, applied as the webhook pipeline applies it, at `now` (default: the event's own time). */
async function session(type: SessionEventType, options: SessionOptions, now = new Date(options.at)) {
  return trackSession(sessionReportOf(parseEvent(sessionEvent(type, options)) as SessionEvent), now);
}

/** What any reader shows: presence computed as of `now` from what is stored (and the stored flag corrected). */
async function presenceAt(userId: string, now: Date) {
  const user = await findUserByClerkId(userId);
  if (!user) throw new Error(`no document for ${userId}`);
  return (await presenceNow([user], now)).get(userId)!;
}

async function storedPresence(userId: string) {
  const user = await findUserByClerkId(userId);
  return user && { isOnline: user.isOnline, lastSeen: user.lastSeen };
}

function beat(userId: string, sessionId: string, now: Date): Promise<HeartbeatOutcome> {
  return recordHeartbeat({ clerkId: userId, sessionId }, now);
}

describe('presence with no event: expiry, abandonment, idleness', () => {
  it('a session.created for a session that expired a minute ago leaves the user offline', async () => {
    const userId = await syncedUser();
    const createdAt = T0 - 7 * 24 * 3600_000;
    await session('session.created', { userId, createdAt, expireAt: T0 - MINUTE, at: T0 - 2 * MINUTE }, at(0));
    expect(await storedPresence(userId)).toEqual({ isOnline: false, lastSeen: at(-2 * MINUTE) });
    expect(await presenceAt(userId, at(0))).toEqual({ isOnline: false, lastSeen: at(-2 * MINUTE) });
  });

  it('through the webhook route too: an expired session delivered now leaves the user offline', async () => {
    const user = clerkUser();
    await deliver(userCreatedEvent(user));
    const now = Date.now();
    const answer = await deliver(
      sessionEvent('session.created', {
        userId: user.id,
        createdAt: now - 7 * 24 * 3600_000,
        expireAt: now - MINUTE,
        at: now - 2 * MINUTE,
      }),
    );
    expect(answer.body.outcome).toBe('applied');
    expect(await storedPresence(user.id)).toMatchObject({ isOnline: false });
  });

  it('a session whose last activity was three hours ago, with no event since, leaves the user offline', async () => {
    const userId = await syncedUser();
    await session('session.created', { userId, at: T0 - 3 * 3600_000 }, at(0));
    expect(await presenceAt(userId, at(0))).toEqual({ isOnline: false, lastSeen: at(-3 * 3600_000) });
    expect(await storedPresence(userId)).toMatchObject({ isOnline: false });
  });

  it('a session that reaches its expire_at takes its user offline then, with no event: online a second before, offline a second after', async () => {
    const userId = await syncedUser();
    const sessionId = clerkId('sess');
    await session('session.created', { userId, sessionId, at: T0, expireAt: T0 + 10 * MINUTE });
    expect(await beat(userId, sessionId, at(9 * MINUTE))).toBe('recorded');
    expect(await presenceAt(userId, at(10 * MINUTE - SECOND))).toMatchObject({ isOnline: true });
    expect(await storedPresence(userId)).toMatchObject({ isOnline: true });
    expect(await presenceAt(userId, at(10 * MINUTE + SECOND))).toEqual({ isOnline: false, lastSeen: at(9 * MINUTE) });
    // The reader found the stored flag stale and corrected it: it converges without any webhook.
    expect(await storedPresence(userId)).toEqual({ isOnline: false, lastSeen: at(9 * MINUTE) });
  });

  it('an abandoned session (abandon_at passed, no event) no longer counts, however recent the activity', async () => {
    const userId = await syncedUser();
    const sessionId = clerkId('sess');
    await session('session.created', { userId, sessionId, at: T0, abandonAt: T0 + 2 * MINUTE });
    expect(await beat(userId, sessionId, at(90 * SECOND))).toBe('recorded');
    expect(await presenceAt(userId, at(2 * MINUTE - SECOND))).toMatchObject({ isOnline: true });
    expect(await presenceAt(userId, at(2 * MINUTE + SECOND))).toEqual({ isOnline: false, lastSeen: at(90 * SECOND) });
  });

  it('a user idle beyond the window goes offline although the session is live; online up to the window inclusive', async () => {
    const userId = await syncedUser();
    await session('session.created', { userId, at: T0 });
    expect(await storedPresence(userId)).toEqual({ isOnline: true, lastSeen: at(0) });
    expect(await presenceAt(userId, at(WINDOW))).toMatchObject({ isOnline: true });
    expect(await presenceAt(userId, at(WINDOW + 1))).toEqual({ isOnline: false, lastSeen: at(0) });
    expect(await storedPresence(userId)).toEqual({ isOnline: false, lastSeen: at(0) });
  });
});

describe('heartbeats', () => {
  it('a heartbeat every 45 s keeps a user online for 30 minutes, far past the window; when they stop, the user drops offline after the window', async () => {
    const userId = await syncedUser();
    const sessionId = clerkId('sess');
    await session('session.created', { userId, sessionId, at: T0 });
    let last = 0;
    for (let offset = 45 * SECOND; offset <= 30 * MINUTE; offset += 45 * SECOND) {
      expect(await beat(userId, sessionId, at(offset)), `beat at +${offset / SECOND} s`).toBe('recorded');
      expect(await presenceAt(userId, at(offset + 44 * SECOND)), `+${offset / SECOND + 44} s`).toMatchObject({ isOnline: true });
      last = offset;
    }
    expect(await presenceAt(userId, at(last + WINDOW))).toEqual({ isOnline: true, lastSeen: at(last) });
    expect(await presenceAt(userId, at(last + WINDOW + SECOND))).toEqual({ isOnline: false, lastSeen: at(last) });
  });

  it('two tabs in each of two sessions, beating every 45 s for 10 minutes: lastSeen is written at most once per 30 s, and the user is online throughout', async () => {
    const userId = await syncedUser();
    const [laptop, phone] = [clerkId('sess'), clerkId('sess')];
    await session('session.created', { userId, sessionId: laptop, at: T0 });
    await session('session.created', { userId, sessionId: phone, at: T0 + SECOND });
    const tabs = [
      { sessionId: laptop, phase: 0 },
      { sessionId: laptop, phase: 7 * SECOND },
      { sessionId: phone, phase: 19 * SECOND },
      { sessionId: phone, phase: 33 * SECOND },
    ];
    const beats = tabs
      .flatMap((tab) =>
        Array.from({ length: 14 }, (_, index) => ({ sessionId: tab.sessionId, offset: tab.phase + (index + 1) * 45 * SECOND })),
      )
      .sort((a, b) => a.offset - b.offset);

    const written: number[] = [];
    for (const { sessionId, offset } of beats) {
      const outcome = await beat(userId, sessionId, at(offset));
      expect(['recorded', 'throttled']).toContain(outcome);
      if (outcome === 'recorded') written.push(offset);
      expect(await presenceAt(userId, at(offset)), `+${offset / SECOND} s`).toMatchObject({ isOnline: true });
    }
    const gaps = written.slice(1).map((offset, index) => offset - written[index]!);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(30 * SECOND);
    // 56 beats, and about one write per 30–45 s: never more than the interval allows.
    expect(written.length).toBeLessThanOrEqual(Math.floor((beats.at(-1)!.offset - beats[0]!.offset) / (30 * SECOND)) + 1);
    expect(written.length).toBeLessThan(beats.length / 2);
    expect(await storedPresence(userId)).toEqual({ isOnline: true, lastSeen: at(written.at(-1)!) });
  });

  it('concurrent heartbeats (tabs on several server instances) at the same moment write once', async () => {
    const userId = await syncedUser();
    const sessionId = clerkId('sess');
    await session('session.created', { userId, sessionId, at: T0 });
    const outcomes = await Promise.all(Array.from({ length: 6 }, () => beat(userId, sessionId, at(MINUTE))));
    expect(outcomes.filter((outcome) => outcome === 'recorded')).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome === 'throttled')).toHaveLength(5);
  });

  it("lastSeen only moves forward: a heartbeat stamped earlier than the stored lastSeen (another server's clock) changes nothing", async () => {
    const userId = await syncedUser();
    const sessionId = clerkId('sess');
    await session('session.created', { userId, sessionId, at: T0 + 10 * MINUTE });
    expect(await beat(userId, sessionId, at(5 * MINUTE))).toBe('throttled');
    expect(await storedPresence(userId)).toEqual({ isOnline: true, lastSeen: at(10 * MINUTE) });
  });

  it('a heartbeat before any session event records its session; the session.created arriving later adds the bounds, which then apply', async () => {
    const userId = await syncedUser();
    const sessionId = clerkId('sess');
    expect(await beat(userId, sessionId, at(0))).toBe('recorded');
    expect(await storedPresence(userId)).toEqual({ isOnline: true, lastSeen: at(0) });
    expect(await sessionsCollection(await db()).findOne({ sessionId })).toMatchObject({
      status: 'active',
      version: 0,
      expireAt: null,
      abandonAt: null,
    });

    expect(await session('session.created', { userId, sessionId, at: T0 - SECOND, expireAt: T0 + MINUTE })).toBe('applied');
    expect(await presenceAt(userId, at(MINUTE - SECOND))).toMatchObject({ isOnline: true });
    expect(await presenceAt(userId, at(MINUTE + SECOND))).toMatchObject({ isOnline: false });
  });

  it('a heartbeat from a user with no document yet makes a presence stub, which the People page does not list', async () => {
    const userId = clerkId('user');
    expect(await beat(userId, clerkId('sess'), at(0))).toBe('recorded');
    expect(await findUserByClerkId(userId)).toMatchObject({ version: 0, isOnline: true, lastSeen: at(0) });
    const viewer = await syncedUser();
    const view = await loadPeople({ clerkId: viewer, sessionId: clerkId('sess') }, at(SECOND));
    if (view.state !== 'ready') throw new Error(view.state);
    expect(view.people.map((person) => person.clerkId)).not.toContain(userId);
  });
});

describe('sign-out, several sessions, deletion', () => {
  it("sign-out (session.ended) takes the user offline at once, right after a heartbeat; the signed-out session's still-valid token cannot bring them back", async () => {
    const userId = await syncedUser();
    const sessionId = clerkId('sess');
    await session('session.created', { userId, sessionId, at: T0 });
    expect(await beat(userId, sessionId, at(40 * SECOND))).toBe('recorded');
    await session('session.ended', { userId, sessionId, createdAt: T0, at: T0 + 50 * SECOND });
    expect(await storedPresence(userId)).toEqual({ isOnline: false, lastSeen: at(50 * SECOND) });
    expect(await presenceAt(userId, at(51 * SECOND))).toMatchObject({ isOnline: false });

    expect(await beat(userId, sessionId, at(90 * SECOND))).toBe('session_over');
    expect(await presenceAt(userId, at(91 * SECOND))).toEqual({ isOnline: false, lastSeen: at(50 * SECOND) });
  });

  it('with two sessions, signing out of one leaves the user online through the other; signing out of both, offline', async () => {
    const userId = await syncedUser();
    const [laptop, phone] = [clerkId('sess'), clerkId('sess')];
    await session('session.created', { userId, sessionId: laptop, at: T0 });
    await session('session.created', { userId, sessionId: phone, at: T0 + 10 * SECOND });
    await session('session.ended', { userId, sessionId: laptop, createdAt: T0, at: T0 + MINUTE });
    expect(await presenceAt(userId, at(MINUTE))).toMatchObject({ isOnline: true });
    expect(await beat(userId, phone, at(2 * MINUTE))).toBe('recorded');
    expect(await beat(userId, laptop, at(3 * MINUTE))).toBe('session_over');
    expect(await presenceAt(userId, at(3 * MINUTE))).toEqual({ isOnline: true, lastSeen: at(2 * MINUTE) });
    await session('session.revoked', { userId, sessionId: phone, createdAt: T0 + 10 * SECOND, at: T0 + 4 * MINUTE });
    expect(await presenceAt(userId, at(4 * MINUTE))).toMatchObject({ isOnline: false });
  });

  it('a deleted user is never online or listed: their sessions are gone, a heartbeat for them writes nothing', async () => {
    const userId = await syncedUser();
    const sessionId = clerkId('sess');
    await session('session.created', { userId, sessionId, at: T0 });
    const viewer = await syncedUser();
    const before = await loadPeople({ clerkId: viewer, sessionId: clerkId('sess') }, at(SECOND));
    expect(before.state === 'ready' && before.people.find((person) => person.clerkId === userId)?.presence.isOnline).toBe(true);

    await applyEvent(parseEvent(userDeletedEvent(userId, T0 + 2 * SECOND)), at(2 * SECOND));
    const tombstone = await findUserByClerkId(userId);
    expect(await beat(userId, sessionId, at(40 * SECOND))).toBe('deleted');
    expect(await findUserByClerkId(userId)).toEqual(tombstone);
    expect(await sessionsCollection(await db()).countDocuments({ clerkId: userId })).toBe(0);
    expect(await presenceAt(userId, at(41 * SECOND))).toEqual({ isOnline: false, lastSeen: null });

    const after = await loadPeople({ clerkId: viewer, sessionId: clerkId('sess') }, at(42 * SECOND));
    expect(after.state === 'ready' && after.people.map((person) => person.clerkId)).not.toContain(userId);
  });
});

describe('readers: the People list and the stored flag', () => {
  it('the People list puts who is online now first, then the others by last activity, and marks the viewer', async () => {
    const [viewer, idle, signedOut, neverSeen] = [await syncedUser(), await syncedUser(), await syncedUser(), await syncedUser()];
    const signedOutSession = clerkId('sess');
    await session('session.created', { userId: idle, at: T0 });
    await session('session.created', { userId: signedOut, sessionId: signedOutSession, at: T0 + 7 * MINUTE });
    await session('session.ended', { userId: signedOut, sessionId: signedOutSession, createdAt: T0 + 7 * MINUTE, at: T0 + 8 * MINUTE });

    const view = await loadPeople({ clerkId: viewer, sessionId: clerkId('sess') }, at(10 * MINUTE));
    if (view.state !== 'ready') throw new Error(view.state);
    const mine = view.people.filter((person) => [viewer, idle, signedOut, neverSeen].includes(person.clerkId));
    expect(mine.map((person) => [person.clerkId, person.presence, person.isViewer])).toEqual([
      [viewer, { isOnline: true, lastSeen: at(10 * MINUTE) }, true],
      [signedOut, { isOnline: false, lastSeen: at(8 * MINUTE) }, false],
      [idle, { isOnline: false, lastSeen: at(0) }, false],
      [neverSeen, { isOnline: false, lastSeen: null }, false],
    ]);
    expect(view.asOf).toEqual(at(10 * MINUTE));
  });

  it("a reader's correction never overwrites a newer writer: one made from a read older than a heartbeat is dropped", async () => {
    const userId = await syncedUser();
    const sessionId = clerkId('sess');
    await session('session.created', { userId, sessionId, at: T0 });
    const readBeforeTheBeat = (await findUserByClerkId(userId))!;
    expect(await beat(userId, sessionId, at(4 * MINUTE))).toBe('recorded');

    // As of +6 min, the old read says "idle" and would store false; the heartbeat since says otherwise.
    expect((await presenceNow([readBeforeTheBeat], at(6 * MINUTE))).get(userId)).toMatchObject({ isOnline: false });
    expect(await storedPresence(userId)).toEqual({ isOnline: true, lastSeen: at(4 * MINUTE) });
    expect(await presenceAt(userId, at(6 * MINUTE))).toMatchObject({ isOnline: true });
  });
});
