/**
 * Presence timings, shared by the server and the browser (no `server-only`):
 * the heartbeat's rhythm.
 */

/** How often a visible signed-in tab reports activity (the brief allows 30–60 s). */
export const HEARTBEAT_INTERVAL_MS = 45_000;

/**
 * At most one `lastSeen` write per user per this interval, however many tabs,
 * sessions or server instances send heartbeats: a heartbeat is written only
 * when the stored `lastSeen` is at least this old.
 */
export const HEARTBEAT_WRITE_INTERVAL_MS = 30_000;

/** How often an open, visible People page re-reads presence. */
export const PEOPLE_REFRESH_MS = 10_000;

/** The window's default and bounds are configuration: PRESENCE_WINDOW_SECONDS in lib/env/schema.ts. */
