/**
 * The People page's list (lib/presence/people.ts, the app's own), on presence
 * the engine keeps from session events delivered through the app's webhook
 * route: who is online now first, then by last activity; the viewer marked;
 * presence stubs and deleted users never listed. `now` is injected: the list
 * is computed as of it from the stored facts.
 */
import { clerkId, clerkUser, sessionEvent, userCreatedEvent, userDeletedEvent } from 'clerk-mongo-sync/testing';
import { describe, expect, it } from 'vitest';
import { loadPeople } from '@/lib/presence/people';
import { deliver } from '../support/webhook';

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);
const at = (offsetMs: number) => new Date(T0 + offsetMs);

async function syncedUser(): Promise<string> {
  const user = clerkUser({ createdAt: T0 - 24 * 3600_000 });
  expect((await deliver(userCreatedEvent(user))).body.outcome).toBe('applied');
  return user.id;
}

async function people(viewer: string, now: Date) {
  const view = await loadPeople({ clerkId: viewer, sessionId: clerkId('sess') }, now);
  if (view.state !== 'ready') throw new Error(view.state);
  return view;
}

describe('the People list', () => {
  it('puts who is online now first, then the others by last activity, and marks the viewer', async () => {
    const [viewer, idle, signedOut, neverSeen] = [await syncedUser(), await syncedUser(), await syncedUser(), await syncedUser()];
    const signedOutSession = clerkId('sess');
    await deliver(sessionEvent('session.created', { userId: idle, at: T0 }));
    await deliver(sessionEvent('session.created', { userId: signedOut, sessionId: signedOutSession, at: T0 + 7 * MINUTE }));
    await deliver(
      sessionEvent('session.ended', { userId: signedOut, sessionId: signedOutSession, createdAt: T0 + 7 * MINUTE, at: T0 + 8 * MINUTE }),
    );

    const view = await people(viewer, at(10 * MINUTE));
    const mine = view.people.filter((person) => [viewer, idle, signedOut, neverSeen].includes(person.clerkId));
    expect(mine.map((person) => [person.clerkId, person.presence.isOnline, person.presence.lastSeen, person.isViewer])).toEqual([
      [viewer, true, at(10 * MINUTE), true],
      [signedOut, false, at(8 * MINUTE), false],
      [idle, false, at(0), false],
      [neverSeen, false, null, false],
    ]);
    expect(view.asOf).toEqual(at(10 * MINUTE));
  });

  it('lists neither a presence stub (a session event before the user’s own) nor a deleted user', async () => {
    const stub = clerkId('user');
    await deliver(sessionEvent('session.created', { userId: stub, at: T0 }));
    const deleted = await syncedUser();
    await deliver(sessionEvent('session.created', { userId: deleted, at: T0 }));
    const viewer = await syncedUser();
    expect((await people(viewer, at(MINUTE))).people.map((person) => person.clerkId)).toContain(deleted);

    await deliver(userDeletedEvent(deleted, T0 + 2 * MINUTE));
    const listed = (await people(viewer, at(3 * MINUTE))).people.map((person) => person.clerkId);
    expect(listed).not.toContain(stub);
    expect(listed).not.toContain(deleted);
  });
});
