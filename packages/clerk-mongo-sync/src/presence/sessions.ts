import type { Filter } from 'mongodb';
import { isDuplicateKey } from '../db/errors.js';
import { guardedUpsert, type WriteOutcome } from '../db/guarded-upsert.js';
import type { Store } from '../engine/store.js';
import { sessionRecordSchema, type SessionRecord } from './session-record.js';
import { liveUntil } from './status.js';

export type { SessionRecord, SessionStatus } from './session-record.js';

export type SessionState = Pick<SessionRecord, 'sessionId' | 'clerkId' | 'status' | 'version'> & {
  expireAt: Date | null;
  abandonAt: Date | null;
};

/**
 * The order guard for one session. An ended, removed or revoked session is
 * over for good: it replaces an active one whatever the versions say, so a
 * late or replayed `session.created` can never revive it. Among equals
 * (active after active, terminal after terminal) the newer version wins.
 */
function guardFor({ sessionId, clerkId, status, version }: SessionState): Filter<SessionRecord> {
  const olderVersion = { version: { $lt: version } };
  // By user and session: the user's id is the shard key on a sharded cluster (db/shard-keys.ts).
  if (status === 'active') return { clerkId, sessionId, status: 'active', ...olderVersion };
  return { clerkId, sessionId, $or: [{ status: 'active' }, olderVersion] };
}

/**
 * Records a session's state if it is newer than the stored one, as an upsert:
 * as with users, the unique index on the user's and session's ids turns a
 * racing insert into a duplicate-key error, after which the guard is checked
 * once more against the document that won. The insert takes `clerkId` and
 * `sessionId` from the filter.
 */
export async function recordSession(store: Store, state: SessionState, now = new Date()): Promise<WriteOutcome> {
  const filter = guardFor(state);
  const { status, version, expireAt, abandonAt } = state;
  const update = { $set: { status, version, expireAt, abandonAt, updatedAt: now } };
  return guardedUpsert(store.sessions, filter, update);
}

/**
 * Until when each of `clerkIds` has a live session as of `now` (see
 * `liveUntil`), for those who have one. Reads their sessions recorded as
 * active (by the `clerkId_status` index) and checks the bounds here: an
 * expired or abandoned session stays "active" in storage, since Clerk sends
 * no event for either.
 */
export async function liveSessionsUntil(store: Store, clerkIds: readonly string[], now: Date): Promise<Map<string, Date | null>> {
  if (clerkIds.length === 0) return new Map();
  const active = await store.sessions
    .find(
      { clerkId: { $in: [...clerkIds] }, status: 'active' },
      { projection: { _id: 0, clerkId: 1, status: 1, expireAt: 1, abandonAt: 1 } },
    )
    .toArray();
  const byUser = new Map<string, SessionBounds[]>();
  for (const session of active.map((stored) => sessionBoundsSchema.parse(stored))) {
    byUser.set(session.clerkId, [...(byUser.get(session.clerkId) ?? []), session]);
  }
  const live = new Map<string, Date | null>();
  for (const [clerkId, sessions] of byUser) {
    const until = liveUntil(sessions, now);
    if (until !== undefined) live.set(clerkId, until);
  }
  return live;
}

/** What deciding liveness reads of a stored session, parsed: a malformed record fails loudly, not as "online". */
const sessionBoundsSchema = sessionRecordSchema.pick({ clerkId: true, status: true, expireAt: true, abandonAt: true });
type SessionBounds = ReturnType<typeof sessionBoundsSchema.parse>;

export async function hasLiveSession(store: Store, clerkId: string, now: Date): Promise<boolean> {
  return (await liveSessionsUntil(store, [clerkId], now)).has(clerkId);
}

/**
 * Makes a session that a verified session token names known, before its
 * `session.created` arrives (or when the endpoint does not receive session
 * events at all): as active, version 0, bounds unknown. Never changes a
 * recorded session: an ended one stays ended however valid the token still
 * is (Clerk's tokens outlive sign-out by up to a minute). 'over' when the
 * session is recorded as ended, removed or revoked.
 */
export async function attestSession(store: Store, sessionId: string, clerkId: string, now: Date): Promise<'active' | 'over'> {
  const known = await store.sessions.findOne({ clerkId, sessionId }, { projection: { status: 1 } });
  if (known) return known.status === 'active' ? 'active' : 'over';
  try {
    // No `_id`: the adopter's driver makes it, with its own BSON library (hence the cast: the type declares one).
    await store.sessions.insertOne({
      sessionId,
      clerkId,
      status: 'active',
      version: 0,
      expireAt: null,
      abandonAt: null,
      updatedAt: now,
    } as SessionRecord);
  } catch (error) {
    // A session event recorded it meanwhile; whatever it recorded decides liveness.
    if (!isDuplicateKey(error)) throw error;
  }
  return 'active';
}

/** Forgets every session of a user (deletion); returns how many. */
export async function removeSessionsOf(store: Store, clerkId: string): Promise<number> {
  const { deletedCount } = await store.sessions.deleteMany({ clerkId });
  return deletedCount;
}
