/**
 * Presence as of now, with a controllable clock: every presence function
 * takes `now`, and these tests pass it (the database is real; nothing
 * patches global time). A user is online only with a live session (not
 * ended, removed or revoked, expire_at and abandon_at ahead) and activity
 * within the window (the default, 5 minutes). Clerk sends no event when a
 * session expires, is abandoned or goes idle: these all happen here with no
 * event at all, only time passing. The stored `onlineUntil` says when each of
 * those ends, so a reader of the collection alone knows too.
 */
import { describe, expect, it } from 'vitest';
import { presenceNow } from '../../src/presence/current.js';
import { recordHeartbeat, type HeartbeatOutcome } from '../../src/presence/heartbeat.js';
import { trackSession } from '../../src/presence/track.js';
import { clerkId, clerkUser, sessionEvent, userCreatedEvent, userDeletedEvent, type SessionEventType } from '../../src/testing/payloads.js';
import { hasProfile } from '../../src/users/schema.js';
import { applyEvent, sessionReportOf } from '../../src/webhooks/apply.js';
import { parseClerkEvent, type SessionEvent } from '../../src/webhooks/events.js';
import { clerkSync, internals, store } from '../support/engine.js';
import { deliver } from '../support/webhook.js';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const WINDOW = 5 * MINUTE;
/** The tests' clock starts here; every `now` is an offset from it. */
const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);
const at = (offsetMs: number) => new Date(T0 + offsetMs);

async function syncedUser(): Promise<string> {
  const user = clerkUser({ createdAt: T0 - 24 * 3600_000 });
  await applyEvent(internals, await store(), parseEvent(userCreatedEvent(user)), at(0));
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
  return trackSession(await store(), sessionReportOf(parseEvent(sessionEvent(type, options)) as SessionEvent), WINDOW, now);
}

/** What any reader shows: presence computed as of `now` from what is stored (and the stored fields corrected). */
async function presenceAt(userId: string, now: Date) {
  const user = await clerkSync.users.find(userId);
  if (!user) throw new Error(`no document for ${userId}`);
  return (await presenceNow(await store(), [user], WINDOW, now)).get(userId)!;
}

async function storedPresence(userId: string) {
  const user = await clerkSync.users.find(userId);
  return user && { isOnline: user.isOnline, lastSeen: user.lastSeen, onlineUntil: user.onlineUntil };
}

async function beat(userId: string, sessionId: string, now: Date): Promise<HeartbeatOutcome> {
  return recordHeartbeat(await store(), { clerkId: userId, sessionId }, WINDOW, now);
}

describe('presence with no event: expiry, abandonment, idleness', () => {
  it('a session.created for a session that expired a minute ago leaves the user offline', async () => {
    const userId = await syncedUser();
    const createdAt = T0 - 7 * 24 * 3600_000;
    await session('session.created', { userId, createdAt, expireAt: T0 - MINUTE, at: T0 - 2 * MINUTE }, at(0));
    expect(await storedPresence(userId)).toEqual({ isOnline: false, lastSeen: at(-2 * MINUTE), onlineUntil: null });
    expect(await presenceAt(userId, at(0))).toEqual({ isOnline: false, lastSeen: at(-2 * MINUTE), onlineUntil: null });
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
    expect(await storedPresence(user.id)).toMatchObject({ isOnline: false, onlineUntil: null });
  });

  it('a session whose last activity was three hours ago, with no event since, leaves the user offline', async () => {
    const userId = await syncedUser();
    await session('session.created', { userId, at: T0 - 3 * 3600_000 }, at(0));
    // Its session is live; the user went idle when the window passed, three hours ago, as stored.
    const idleSince = at(-3 * 3600_000 + WINDOW);
    expect(await presenceAt(userId, at(0))).toEqual({ isOnline: false, lastSeen: at(-3 * 3600_000), onlineUntil: idleSince });
    expect(await storedPresence(userId)).toMatchObject({ isOnline: false, onlineUntil: idleSince });
  });

  it('a session that reaches its expire_at takes its user offline then, with no event: online a second before, offline a second after', async () => {
    const userId = await syncedUser();
    const sessionId = clerkId('sess');
    await session('session.created', { userId, sessionId, at: T0, expireAt: T0 + 10 * MINUTE });
    expect(await beat(userId, sessionId, at(9 * MINUTE))).toBe('recorded');
    // The heartbeat's write already says when: the session's expiry comes before the window does.
    expect(await storedPresence(userId)).toEqual({ isOnline: true, lastSeen: at(9 * MINUTE), onlineUntil: at(10 * MINUTE) });
    expect(await presenceAt(userId, at(10 * MINUTE - SECOND))).toMatchObject({ isOnline: true, onlineUntil: at(10 * MINUTE) });
    expect(await presenceAt(userId, at(10 * MINUTE + SECOND))).toEqual({ isOnline: false, lastSeen: at(9 * MINUTE), onlineUntil: null });
    // The reader found the stored fields out of date (no live session any more) and corrected them, without any webhook.
    expect(await storedPresence(userId)).toEqual({ isOnline: false, lastSeen: at(9 * MINUTE), onlineUntil: null });
  });

  it('an abandoned session (abandon_at passed, no event) no longer counts, however recent the activity', async () => {
    const userId = await syncedUser();
    const sessionId = clerkId('sess');
    await session('session.created', { userId, sessionId, at: T0, abandonAt: T0 + 2 * MINUTE });
    expect(await beat(userId, sessionId, at(90 * SECOND))).toBe('recorded');
    expect(await storedPresence(userId)).toMatchObject({ onlineUntil: at(2 * MINUTE) });
    expect(await presenceAt(userId, at(2 * MINUTE - SECOND))).toMatchObject({ isOnline: true });
    expect(await presenceAt(userId, at(2 * MINUTE + SECOND))).toEqual({ isOnline: false, lastSeen: at(90 * SECOND), onlineUntil: null });
  });

  it('a user idle for the window goes offline although the session is live: online until the window has passed since the last activity', async () => {
    const userId = await syncedUser();
    await session('session.created', { userId, at: T0 });
    expect(await storedPresence(userId)).toEqual({ isOnline: true, lastSeen: at(0), onlineUntil: at(WINDOW) });
    expect(await presenceAt(userId, at(WINDOW - 1))).toMatchObject({ isOnline: true });
    expect(await presenceAt(userId, at(WINDOW))).toEqual({ isOnline: false, lastSeen: at(0), onlineUntil: at(WINDOW) });
    // `onlineUntil` was right all along; the reader brought `isOnline` in line with it.
    expect(await storedPresence(userId)).toEqual({ isOnline: false, lastSeen: at(0), onlineUntil: at(WINDOW) });
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
    expect(await presenceAt(userId, at(last + WINDOW - SECOND))).toEqual({
      isOnline: true,
      lastSeen: at(last),
      onlineUntil: at(last + WINDOW),
    });
    expect(await presenceAt(userId, at(last + WINDOW))).toEqual({ isOnline: false, lastSeen: at(last), onlineUntil: at(last + WINDOW) });
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
    expect(await storedPresence(userId)).toEqual({
      isOnline: true,
      lastSeen: at(written.at(-1)!),
      onlineUntil: at(written.at(-1)! + WINDOW),
    });
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
    expect(await storedPresence(userId)).toEqual({ isOnline: true, lastSeen: at(10 * MINUTE), onlineUntil: at(10 * MINUTE + WINDOW) });
  });

  it('a heartbeat before any session event records its session; the session.created arriving later adds the bounds, which then apply', async () => {
    const userId = await syncedUser();
    const sessionId = clerkId('sess');
    expect(await beat(userId, sessionId, at(0))).toBe('recorded');
    // The session's bounds are not known yet: only the window bounds presence.
    expect(await storedPresence(userId)).toEqual({ isOnline: true, lastSeen: at(0), onlineUntil: at(WINDOW) });
    expect(await (await store()).sessions.findOne({ sessionId })).toMatchObject({
      status: 'active',
      version: 0,
      expireAt: null,
      abandonAt: null,
    });

    expect(await session('session.created', { userId, sessionId, at: T0 - SECOND, expireAt: T0 + MINUTE })).toBe('applied');
    expect(await storedPresence(userId)).toMatchObject({ onlineUntil: at(MINUTE) });
    expect(await presenceAt(userId, at(MINUTE - SECOND))).toMatchObject({ isOnline: true });
    expect(await presenceAt(userId, at(MINUTE + SECOND))).toMatchObject({ isOnline: false });
  });

  it('a heartbeat from a user with no document yet makes a presence stub: online, but no profile (version 0)', async () => {
    const userId = clerkId('user');
    expect(await beat(userId, clerkId('sess'), at(0))).toBe('recorded');
    const stub = await clerkSync.users.find(userId);
    expect(stub).toMatchObject({ version: 0, isOnline: true, lastSeen: at(0), onlineUntil: at(WINDOW), email: null, firstName: null });
    expect(hasProfile(stub!)).toBe(false);
  });
});

describe('sign-out, several sessions, deletion', () => {
  it("sign-out (session.ended) takes the user offline at once, right after a heartbeat; the signed-out session's still-valid token cannot bring them back", async () => {
    const userId = await syncedUser();
    const sessionId = clerkId('sess');
    await session('session.created', { userId, sessionId, at: T0 });
    expect(await beat(userId, sessionId, at(40 * SECOND))).toBe('recorded');
    await session('session.ended', { userId, sessionId, createdAt: T0, at: T0 + 50 * SECOND });
    expect(await storedPresence(userId)).toEqual({ isOnline: false, lastSeen: at(50 * SECOND), onlineUntil: null });
    expect(await presenceAt(userId, at(51 * SECOND))).toMatchObject({ isOnline: false });

    expect(await beat(userId, sessionId, at(90 * SECOND))).toBe('session_over');
    expect(await presenceAt(userId, at(91 * SECOND))).toEqual({ isOnline: false, lastSeen: at(50 * SECOND), onlineUntil: null });
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
    expect(await presenceAt(userId, at(3 * MINUTE))).toEqual({
      isOnline: true,
      lastSeen: at(2 * MINUTE),
      onlineUntil: at(2 * MINUTE + WINDOW),
    });
    await session('session.revoked', { userId, sessionId: phone, createdAt: T0 + 10 * SECOND, at: T0 + 4 * MINUTE });
    expect(await storedPresence(userId)).toMatchObject({ isOnline: false, onlineUntil: null });
    expect(await presenceAt(userId, at(4 * MINUTE))).toMatchObject({ isOnline: false });
  });

  it('a deleted user is never online: their sessions are gone, the tombstone has no onlineUntil, a heartbeat for them writes nothing', async () => {
    const userId = await syncedUser();
    const sessionId = clerkId('sess');
    await session('session.created', { userId, sessionId, at: T0 });
    expect(await presenceAt(userId, at(SECOND))).toMatchObject({ isOnline: true });

    await applyEvent(internals, await store(), parseEvent(userDeletedEvent(userId, T0 + 2 * SECOND)), at(2 * SECOND));
    const tombstone = await clerkSync.users.find(userId);
    expect(tombstone).toMatchObject({ isOnline: false, lastSeen: null, onlineUntil: null });
    expect(await beat(userId, sessionId, at(40 * SECOND))).toBe('deleted');
    expect(await clerkSync.users.find(userId)).toEqual(tombstone);
    expect(await (await store()).sessions.countDocuments({ clerkId: userId })).toBe(0);
    expect(await presenceAt(userId, at(41 * SECOND))).toEqual({ isOnline: false, lastSeen: null, onlineUntil: null });
  });
});

describe('readers: the stored fields', () => {
  it('a reader of the collection alone, with no code of the engine, knows who is online: { onlineUntil: { $gt: now } }', async () => {
    const [active, expiring, signedOut, heartbeatOnly] = [await syncedUser(), await syncedUser(), await syncedUser(), await syncedUser()];
    const signedOutSession = clerkId('sess');
    await session('session.created', { userId: active, at: T0 });
    await session('session.created', { userId: expiring, at: T0, expireAt: T0 + 2 * MINUTE });
    await session('session.created', { userId: signedOut, sessionId: signedOutSession, at: T0 });
    await session('session.ended', { userId: signedOut, sessionId: signedOutSession, createdAt: T0, at: T0 + 30 * SECOND });
    expect(await beat(heartbeatOnly, clerkId('sess'), at(MINUTE))).toBe('recorded');

    // From here on nothing of the engine runs: only queries, each as of its own moment.
    const users = (await store()).users;
    const onlineAt = async (offset: number) =>
      (await users.find({ clerkId: { $in: [active, expiring, signedOut, heartbeatOnly] }, onlineUntil: { $gt: at(offset) } }).toArray())
        .map((user) => user.clerkId)
        .sort();
    // By the rules, stated by hand: the window is 5 minutes after each one's last activity.
    expect(await onlineAt(MINUTE)).toEqual([active, expiring, heartbeatOnly].sort()); // the ended session counts for nothing
    expect(await onlineAt(3 * MINUTE)).toEqual([active, heartbeatOnly].sort()); // expired at +2 min, no event
    expect(await onlineAt(5 * MINUTE)).toEqual([heartbeatOnly]); // idle since +0: offline at +5 min
    expect(await onlineAt(6 * MINUTE)).toEqual([]); // idle since +1 min
  });

  it("a reader's correction never overwrites a newer writer: one made from a read older than a heartbeat is dropped", async () => {
    const userId = await syncedUser();
    const sessionId = clerkId('sess');
    await session('session.created', { userId, sessionId, at: T0 });
    const readBeforeTheBeat = (await clerkSync.users.find(userId))!;
    expect(await beat(userId, sessionId, at(4 * MINUTE))).toBe('recorded');

    // As of +6 min, the old read says "idle" and would store false; the heartbeat since says otherwise.
    expect((await presenceNow(await store(), [readBeforeTheBeat], WINDOW, at(6 * MINUTE))).get(userId)).toMatchObject({ isOnline: false });
    expect(await storedPresence(userId)).toEqual({ isOnline: true, lastSeen: at(4 * MINUTE), onlineUntil: at(9 * MINUTE) });
    expect(await presenceAt(userId, at(6 * MINUTE))).toMatchObject({ isOnline: true });
  });
});
