import { ObjectId } from 'mongodb';
import { z } from 'zod';

/** The app's own collection, beside the engine's (users, sessions, webhook_deliveries, sync_runs). */
export const ASSESSMENTS_COLLECTION = 'assessments';

/**
 * A document of the `assessments` collection: one completed assessment.
 *
 * It links to its user twice, on purpose: `userId` is the `_id` of the
 * user's document (joins and `$lookup` inside MongoDB, stable for the life of
 * the document), `clerkUserId` is the id every request knows from its
 * session (the owner check and the history query need no user lookup). Both
 * become null when the user is deleted under `DELETION_POLICY=anonymize`.
 *
 * A result taken for the session's active organization links to it the same
 * way: `organizationId` (the `_id` of the engine's organizations document)
 * and `clerkOrgId`, both from the server's session and synced membership,
 * never from the browser. Both null for a personal result, and absent from
 * results stored before organizations existed (read as null).
 */
export const assessmentRecordSchema = z.object({
  _id: z.instanceof(ObjectId),
  userId: z.instanceof(ObjectId).nullable(),
  clerkUserId: z.string().nullable(),
  organizationId: z.instanceof(ObjectId).nullable().default(null),
  clerkOrgId: z.string().nullable().default(null),
  slug: z.string(),
  title: z.string(),
  /** Each answer with the correct choice it was scored against, so the record explains itself. */
  answers: z.array(z.object({ questionId: z.string(), choiceId: z.string(), correctChoiceId: z.string() })),
  score: z.number().int().nonnegative(),
  maxScore: z.number().int().positive(),
  createdAt: z.date(),
  /** When the owner was deleted and the record unlinked from them; null while it belongs to someone. */
  anonymizedAt: z.date().nullable(),
});

export type AssessmentRecord = z.infer<typeof assessmentRecordSchema>;
