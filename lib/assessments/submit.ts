import 'server-only';
import { unlessDatabaseDown } from '@/lib/db/errors';
import { env } from '@/lib/env';
import { loadCurrentUser, type CurrentUser } from '@/lib/users/current-user';
import { findUserByClerkId } from '@/lib/users/repository';
import { findAssessment } from './catalogue';
import { applyDeletionPolicy, insertAssessment } from './repository';
import { parseSubmission, scoreAnswers, type AnswerSheet } from './submission';

type AccountState = Exclude<CurrentUser['state'], 'ready'>;

export type SubmitOutcome =
  | { kind: 'created'; id: string }
  | { kind: 'invalid'; message: string; issues: Record<string, string>; values: AnswerSheet }
  | { kind: 'account'; state: AccountState }
  | { kind: 'unknown_assessment' };

/** What the assessment form shows after a submission that did not create a record. */
export type AssessmentFormState = { kind: 'editing' } | Extract<SubmitOutcome, { kind: 'invalid' | 'account' }>;

/**
 * Scores a submitted answer sheet and stores it for the signed-in user.
 * Nothing is written unless the sheet is valid and the user's document is
 * ready (`loadCurrentUser` syncs it from Clerk first if no webhook has yet),
 * since the record links to that document's `_id`.
 */
export async function submitAssessment(clerkId: string, slug: string, entries: Iterable<[string, unknown]>): Promise<SubmitOutcome> {
  const assessment = findAssessment(slug);
  if (!assessment) return { kind: 'unknown_assessment' };
  const sheet = parseSubmission(assessment, entries);
  if (!sheet.ok) return { kind: 'invalid', message: sheet.message, issues: sheet.issues, values: sheet.values };

  const current = await loadCurrentUser(clerkId);
  if (current.state !== 'ready') return { kind: 'account', state: current.state };

  return unlessDatabaseDown(
    async (): Promise<SubmitOutcome> => {
      const id = await insertAssessment({
        userId: current.user._id,
        clerkUserId: clerkId,
        slug: assessment.slug,
        title: assessment.title,
        ...scoreAnswers(assessment, sheet.answers),
        createdAt: new Date(),
      });
      if (await deletedMeanwhile(clerkId)) return { kind: 'account', state: 'deleted' };
      return { kind: 'created', id: id.toHexString() };
    },
    (): SubmitOutcome => ({ kind: 'account', state: 'unavailable' }),
  );
}

/**
 * A user.deleted may have landed between our check and our insert, and its
 * cascade may already have run: then our record would outlive its owner. The
 * tombstone is written before the cascade, so seeing none after the insert
 * means the cascade (if any) is still to come and will find the record; seeing
 * one, we apply the deletion policy to the user's results again ourselves
 * (idempotent, as the cascade's own step is).
 */
async function deletedMeanwhile(clerkId: string): Promise<boolean> {
  const user = await findUserByClerkId(clerkId);
  if (!user?.deletedAt) return false;
  await applyDeletionPolicy(clerkId, env().DELETION_POLICY);
  return true;
}
