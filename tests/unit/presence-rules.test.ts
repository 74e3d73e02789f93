import { describe, expect, it } from 'vitest';
import { parseEnv } from '@/lib/env/schema';
import { isSessionLive, presenceAt } from '@/lib/presence/status';

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

describe('presence rules: online', () => {
  it('needs a live session and activity within the window, inclusive', () => {
    const seen = new Date(NOW.getTime() - WINDOW);
    expect(presenceAt({ lastSeen: seen, hasLiveSession: true }, NOW, WINDOW)).toEqual({ isOnline: true, lastSeen: seen });
    expect(presenceAt({ lastSeen: seen, hasLiveSession: true }, later(1), WINDOW)).toEqual({ isOnline: false, lastSeen: seen });
    expect(presenceAt({ lastSeen: NOW, hasLiveSession: false }, NOW, WINDOW)).toEqual({ isOnline: false, lastSeen: NOW });
    expect(presenceAt({ lastSeen: null, hasLiveSession: true }, NOW, WINDOW)).toEqual({ isOnline: false, lastSeen: null });
  });
});

describe('env parsing: PRESENCE_WINDOW_SECONDS', () => {
  const MONGODB_URI = 'mongodb://127.0.0.1:27017/clerk_mongo_sync';

  it('defaults to 300 seconds, unset or empty', () => {
    expect(parseEnv({ MONGODB_URI }).PRESENCE_WINDOW_SECONDS).toBe(300);
    expect(parseEnv({ MONGODB_URI, PRESENCE_WINDOW_SECONDS: '' }).PRESENCE_WINDOW_SECONDS).toBe(300);
  });

  it('accepts whole seconds from 120 to a day', () => {
    expect(parseEnv({ MONGODB_URI, PRESENCE_WINDOW_SECONDS: ' 600\n' }).PRESENCE_WINDOW_SECONDS).toBe(600);
    expect(parseEnv({ MONGODB_URI, PRESENCE_WINDOW_SECONDS: '120' }).PRESENCE_WINDOW_SECONDS).toBe(120);
    expect(parseEnv({ MONGODB_URI, PRESENCE_WINDOW_SECONDS: '86400' }).PRESENCE_WINDOW_SECONDS).toBe(86_400);
  });

  it('refuses a window shorter than heartbeats can keep up with, longer than a day, or not a number, naming the variable', () => {
    for (const value of ['119', '86401', '5m', '1.5']) {
      expect(() => parseEnv({ MONGODB_URI, PRESENCE_WINDOW_SECONDS: value })).toThrow(/PRESENCE_WINDOW_SECONDS must be/);
    }
  });
});
