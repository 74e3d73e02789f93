import 'server-only';
import type { Collection, Db, Filter } from 'mongodb';
import { ObjectId } from 'mongodb';
import { z } from 'zod';
import { db } from '@/lib/db/client';
import { isDuplicateKey } from '@/lib/db/errors';
import { collectionIn } from '@/lib/db/group-commit';
import { guardedUpsert, type WriteOutcome } from '@/lib/db/guarded-upsert';
import { COLLECTIONS } from '@/lib/db/indexes';
import { isSessionLive } from './status';

/**
 * The app's view of each Clerk session, one document per session id: just
 * enough to answer "has this user a live session now?" whatever order the
 * session events arrived in. No PII: ids, status and times.
 */
const SESSION_STATUSES = ['active', 'ended', 'removed', 'revoked'] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

const sessionRecordSchema = z.object({
  _id: z.instanceof(ObjectId),
  sessionId: z.string(),
  clerkId: z.string(),
  status: z.enum(SESSION_STATUSES),
  /**
   * The order guard: the session's `updated_at` (ms) in the event applied; 0
   * for a session known only from a heartbeat's session token, which any
   * session event then overrides.
   */
  version: z.number(),
  /** Clerk's `expire_at` and `abandon_at`; `null` when unknown (heartbeat-only, or an event without them). Absent in records stored before them. */
  expireAt: z.date().nullable().optional(),
  abandonAt: z.date().nullable().optional(),
  updatedAt: z.date(),
});

export type SessionRecord = z.infer<typeof sessionRecordSchema>;
export type SessionState = Pick<SessionRecord, 'sessionId' | 'clerkId' | 'status' | 'version'> & {
  expireAt: Date | null;
  abandonAt: Date | null;
};

export function sessionsCollection(database: Db): Collection<SessionRecord> {
  return collectionIn<SessionRecord>(database, COLLECTIONS.sessions);
}

/**
 * The order guard for one session. An ended, removed or revoked session is
 * over for good: it replaces an active one whatever the versions say, so a
 * late or replayed `session.created` can never revive it. Among equals
 * (active after active, terminal after terminal) the newer version wins.
 */
function guardFor({ sessionId, clerkId, status, version }: SessionState): Filter<SessionRecord> {
  const olderVersion = { version: { $lt: version } };
  // By user and session: the user's id is the shard key on a sharded cluster (lib/db/shard-keys.ts).
  if (status === 'active') return { clerkId, sessionId, status: 'active', ...olderVersion };
  return { clerkId, sessionId, $or: [{ status: 'active' }, olderVersion] };
}

/**
 * Records a session's state if it is newer than the stored one, as an upsert:
 * as with users, the unique index on the user's and session's ids turns a
 * racing insert into a duplicate-key error, after which the guard is checked once more against the
 * document that won.
 */
export async function recordSession(state: SessionState, now = new Date()): Promise<WriteOutcome> {
  const sessions = sessionsCollection(await db());
  const filter = guardFor(state);
  const { status, version, expireAt, abandonAt } = state;
  const update = { $set: { status, version, expireAt, abandonAt, updatedAt: now } };
  return guardedUpsert(sessions, filter, update);
}

/**
 * Which of `clerkIds` have a live session as of `now`. Reads their sessions
 * recorded as active (by the `clerkId_status` index) and checks the bounds
 * here: an expired or abandoned session stays "active" in storage, since
 * Clerk sends no event for either.
 */
export async function liveSessionOwners(clerkIds: readonly string[], now: Date): Promise<Set<string>> {
  if (clerkIds.length === 0) return new Set();
  const active = await sessionsCollection(await db())
    .find(
      { clerkId: { $in: [...clerkIds] }, status: 'active' },
      { projection: { _id: 0, clerkId: 1, status: 1, expireAt: 1, abandonAt: 1 } },
    )
    .toArray();
  const sessions = active.map((session) => sessionBoundsSchema.parse(session));
  return new Set(sessions.filter((session) => isSessionLive(session, now)).map((session) => session.clerkId));
}

/** What deciding liveness reads of a stored session, parsed: a malformed record fails loudly, not as "online". */
const sessionBoundsSchema = sessionRecordSchema.pick({ clerkId: true, status: true, expireAt: true, abandonAt: true });

export async function hasLiveSession(clerkId: string, now: Date): Promise<boolean> {
  return (await liveSessionOwners([clerkId], now)).has(clerkId);
}

/**
 * Makes a session that a verified session token names known, before its
 * `session.created` arrives (or when the endpoint does not receive session
 * events at all): as active, version 0, bounds unknown. Never changes a
 * recorded session: an ended one stays ended however valid the token still
 * is (Clerk's tokens outlive sign-out by up to a minute). 'over' when the
 * session is recorded as ended, removed or revoked.
 */
export async function attestSession(sessionId: string, clerkId: string, now: Date): Promise<'active' | 'over'> {
  const sessions = sessionsCollection(await db());
  const known = await sessions.findOne({ clerkId, sessionId }, { projection: { status: 1 } });
  if (known) return known.status === 'active' ? 'active' : 'over';
  try {
    await sessions.insertOne({
      _id: new ObjectId(),
      sessionId,
      clerkId,
      status: 'active',
      version: 0,
      expireAt: null,
      abandonAt: null,
      updatedAt: now,
    });
  } catch (error) {
    // A session event recorded it meanwhile; whatever it recorded decides liveness.
    if (!isDuplicateKey(error)) throw error;
  }
  return 'active';
}

/** Forgets every session of a user (deletion); returns how many. */
export async function removeSessionsOf(clerkId: string): Promise<number> {
  const { deletedCount } = await sessionsCollection(await db()).deleteMany({ clerkId });
  return deletedCount;
}
