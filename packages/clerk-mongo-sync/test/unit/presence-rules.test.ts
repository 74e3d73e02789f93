import { describe, expect, it } from 'vitest';
import { presenceWindowProblem } from '../../src/presence/timing.js';
import { isSessionLive, liveUntil, presenceAt } from '../../src/presence/status.js';

const NOW = new Date('2026-01-05T09:00:00Z');
const later = (ms: number) => new Date(NOW.getTime() + ms);
const WINDOW = 300_000;

describe('presence rules: a live session', () => {
  it('is active with both bounds ahead; unknown bounds (a session known only from a heartbeat) do not end it', () => {
    expect(isSessionLive({ status: 'active', expireAt: later(1), abandonAt: later(1) }, NOW)).toBe(true);
    expect(isSessionLive({ status: 'active', expireAt: null, abandonAt: null }, NOW)).toBe(true);
    expect(isSessionLive({ status: 'active' }, NOW)).toBe(true);
  });

  it('is over at its expire_at or its abandon_at, whichever comes first', () => {
    expect(isSessionLive({ status: 'active', expireAt: NOW, abandonAt: later(60_000) }, NOW)).toBe(false);
    expect(isSessionLive({ status: 'active', expireAt: later(60_000), abandonAt: NOW }, NOW)).toBe(false);
  });

  it('is over once ended, removed or revoked, whatever its bounds', () => {
    for (const status of ['ended', 'removed', 'revoked'] as const) {
      expect(isSessionLive({ status, expireAt: later(60_000), abandonAt: later(60_000) }, NOW)).toBe(false);
    }
  });
});

describe('presence rules: until when a user has a live session', () => {
  it('is the latest end among the live sessions, each ending at the earlier of expire_at and abandon_at', () => {
    const sessions = [
      { status: 'active' as const, expireAt: later(60_000), abandonAt: later(90_000) },
      { status: 'active' as const, expireAt: later(200_000), abandonAt: later(120_000) },
      { status: 'ended' as const, expireAt: later(900_000), abandonAt: later(900_000) },
    ];
    expect(liveUntil(sessions, NOW)).toEqual(later(120_000));
  });

  it('has no bound while a live session has none (known only from a heartbeat), and none at all without a live session', () => {
    expect(
      liveUntil(
        [
          { status: 'active', expireAt: later(60_000) },
          { status: 'active', expireAt: null, abandonAt: null },
        ],
        NOW,
      ),
    ).toBeNull();
    expect(liveUntil([{ status: 'active', expireAt: NOW }, { status: 'revoked' }], NOW)).toBeUndefined();
    expect(liveUntil([], NOW)).toBeUndefined();
  });
});

describe('presence rules: online, and until when', () => {
  it('is online while onlineUntil is ahead: the window after the last activity, exclusive', () => {
    const seen = new Date(NOW.getTime() - WINDOW + 1);
    expect(presenceAt({ lastSeen: seen, sessionsLiveUntil: null }, NOW, WINDOW)).toEqual({
      isOnline: true,
      lastSeen: seen,
      onlineUntil: later(1),
    });
    expect(presenceAt({ lastSeen: seen, sessionsLiveUntil: null }, later(1), WINDOW)).toEqual({
      isOnline: false,
      lastSeen: seen,
      onlineUntil: later(1),
    });
  });

  it('ends with the last live session when that comes before the window does', () => {
    expect(presenceAt({ lastSeen: NOW, sessionsLiveUntil: later(60_000) }, NOW, WINDOW)).toEqual({
      isOnline: true,
      lastSeen: NOW,
      onlineUntil: later(60_000),
    });
    expect(presenceAt({ lastSeen: NOW, sessionsLiveUntil: later(WINDOW + 1) }, NOW, WINDOW).onlineUntil).toEqual(later(WINDOW));
  });

  it('is never online without a live session or without any activity: onlineUntil null', () => {
    expect(presenceAt({ lastSeen: NOW, sessionsLiveUntil: undefined }, NOW, WINDOW)).toEqual({
      isOnline: false,
      lastSeen: NOW,
      onlineUntil: null,
    });
    expect(presenceAt({ lastSeen: null, sessionsLiveUntil: null }, NOW, WINDOW)).toEqual({
      isOnline: false,
      lastSeen: null,
      onlineUntil: null,
    });
  });
});

describe('presence window', () => {
  it('accepts whole seconds from 120 to a day, and says why it refuses any other', () => {
    for (const seconds of [120, 300, 86_400]) expect(presenceWindowProblem(seconds)).toBeUndefined();
    expect(presenceWindowProblem(119)).toMatch(/at least 120/);
    expect(presenceWindowProblem(86_401)).toMatch(/at most 86400/);
    expect(presenceWindowProblem(1.5)).toMatch(/whole number/);
  });
});
