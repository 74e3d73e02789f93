/**
 * At most one `lastSeen` write per user per this interval, however many tabs,
 * sessions or server instances send heartbeats: a heartbeat is written only
 * when the stored `lastSeen` is at least this old.
 */
export const HEARTBEAT_WRITE_INTERVAL_MS = 30_000;

export const DEFAULT_PRESENCE_WINDOW_SECONDS = 300;

/**
 * While a tab is visible and beats every 30–60 s, `lastSeen` lags real
 * activity by up to the write interval plus the beat's (about 75 s): a
 * shorter window would flicker an active user offline between writes.
 */
export const MIN_PRESENCE_WINDOW_SECONDS = 120;
export const MAX_PRESENCE_WINDOW_SECONDS = 24 * 3600;

/** Why a window is refused, or undefined when it is a whole number of seconds within the bounds. */
export function presenceWindowProblem(seconds: number): string | undefined {
  if (!Number.isInteger(seconds)) return 'must be a whole number of seconds';
  if (seconds < MIN_PRESENCE_WINDOW_SECONDS)
    return `must be at least ${MIN_PRESENCE_WINDOW_SECONDS} (heartbeats write lastSeen every 30–75 s; a shorter window flickers)`;
  if (seconds > MAX_PRESENCE_WINDOW_SECONDS) return `must be at most ${MAX_PRESENCE_WINDOW_SECONDS} (one day)`;
  return undefined;
}
