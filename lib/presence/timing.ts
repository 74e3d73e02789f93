/**
 * Presence timings of the app's pages, shared by the server and the browser
 * (no `server-only`): the heartbeat's rhythm. The engine writes `lastSeen` at
 * most once per user per 30 s (clerk-mongo-sync's HEARTBEAT_WRITE_INTERVAL_MS),
 * however often pages beat.
 */

/** How often a visible signed-in tab reports activity (the engine's window assumes 30–60 s). */
export const HEARTBEAT_INTERVAL_MS = 45_000;

/** How often an open, visible People page re-reads presence. */
export const PEOPLE_REFRESH_MS = 10_000;

/** The window's default and bounds are configuration: PRESENCE_WINDOW_SECONDS in lib/env/schema.ts, by the engine's rule. */
