import type { ObjectId } from 'mongodb';
import { z } from 'zod';

/**
 * The engine's view of each Clerk session, one document per session id: just
 * enough to answer "has this user a live session now, and until when?"
 * whatever order the session events arrived in. No PII: ids, status and times.
 */
const SESSION_STATUSES = ['active', 'ended', 'removed', 'revoked'] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

export const sessionRecordSchema = z.object({
  _id: z.custom<ObjectId>(),
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
