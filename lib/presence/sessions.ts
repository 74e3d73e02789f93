import 'server-only';
import type { Collection, Db, Filter } from 'mongodb';
import { ObjectId } from 'mongodb';
import { z } from 'zod';
import { db } from '@/lib/db/client';
import { guardedUpsert, type WriteOutcome } from '@/lib/db/guarded-upsert';
import { COLLECTIONS } from '@/lib/db/indexes';

/**
 * The app's view of each Clerk session, one document per session id: just
 * enough to answer "has this user an active session?" whatever order the
 * session events arrived in. No PII: ids, status and times.
 */
export const SESSION_STATUSES = ['active', 'ended', 'removed', 'revoked'] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

export const sessionRecordSchema = z.object({
  _id: z.instanceof(ObjectId),
  sessionId: z.string(),
  clerkId: z.string(),
  status: z.enum(SESSION_STATUSES),
  /** The order guard: the session's `updated_at` (ms) in the event applied. */
  version: z.number(),
  updatedAt: z.date(),
});

export type SessionRecord = z.infer<typeof sessionRecordSchema>;
export type SessionState = Pick<SessionRecord, 'sessionId' | 'clerkId' | 'status' | 'version'>;

export function sessionsCollection(database: Db): Collection<SessionRecord> {
  return database.collection<SessionRecord>(COLLECTIONS.sessions);
}

/**
 * The order guard for one session. An ended, removed or revoked session is
 * over for good: it replaces an active one whatever the versions say, so a
 * late or replayed `session.created` can never revive it. Among equals
 * (active after active, terminal after terminal) the newer version wins.
 */
function guardFor({ sessionId, status, version }: SessionState): Filter<SessionRecord> {
  const olderVersion = { version: { $lt: version } };
  if (status === 'active') return { sessionId, status: 'active', ...olderVersion };
  return { sessionId, $or: [{ status: 'active' }, olderVersion] };
}

/**
 * Records a session's state if it is newer than the stored one, as an upsert:
 * as with users, the unique index on `sessionId` turns a racing insert into a
 * duplicate-key error, after which the guard is checked once more against the
 * document that won.
 */
export async function recordSession(state: SessionState, now = new Date()): Promise<WriteOutcome> {
  const sessions = sessionsCollection(await db());
  const filter = guardFor(state);
  const update = { $set: { clerkId: state.clerkId, status: state.status, version: state.version, updatedAt: now } };
  return guardedUpsert(sessions, filter, update);
}

export async function hasActiveSession(clerkId: string): Promise<boolean> {
  const found = await sessionsCollection(await db()).findOne({ clerkId, status: 'active' }, { projection: { _id: 1 } });
  return found !== null;
}

/** Forgets every session of a user (deletion); returns how many. */
export async function removeSessionsOf(clerkId: string): Promise<number> {
  const { deletedCount } = await sessionsCollection(await db()).deleteMany({ clerkId });
  return deletedCount;
}
