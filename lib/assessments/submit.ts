import 'server-only';
import { unlessDatabaseDown, type CurrentOrganization, type CurrentUser } from 'clerk-mongo-sync';
import { clerkSync, loadOrganization, loadUser } from '@/lib/clerk-sync';
import { env } from '@/lib/env';
import { findAssessment } from './catalogue';
import { applyDeletionPolicy, insertAssessment, removeAssessment } from './repository';
import { parseSubmission, scoreAnswers, type AnswerSheet } from './submission';

type AccountState = Exclude<CurrentUser['state'], 'ready'>;
export type OrganizationState = Exclude<CurrentOrganization['state'], 'ready'>;

export type SubmitOutcome =
  | { kind: 'created'; id: string }
  | { kind: 'invalid'; message: string; issues: Record<string, string>; values: AnswerSheet }
  | { kind: 'account'; state: AccountState }
  | { kind: 'organization'; state: OrganizationState }
  | { kind: 'unknown_assessment' };

/** What the assessment form shows after a submission that did not create a record. */
export type AssessmentFormState = { kind: 'editing' } | Extract<SubmitOutcome, { kind: 'invalid' | 'account' | 'organization' }>;

/**
 * Scores a submitted answer sheet and stores it for the signed-in user, and
 * for their session's active organization if there is one (`clerkOrgId`,
 * from `auth()`). Nothing is written unless the sheet is valid, the user's
 * document is ready and, for an organization, it is live and the user an
 * active member (each synced from Clerk first if no webhook has yet), since
 * the record links to those documents' `_id`s. A result meant for an
 * organization is never stored as a personal one instead.
 */
export async function submitAssessment(
  clerkId: string,
  slug: string,
  entries: Iterable<[string, unknown]>,
  clerkOrgId: string | null = null,
): Promise<SubmitOutcome> {
  const assessment = findAssessment(slug);
  if (!assessment) return { kind: 'unknown_assessment' };
  const sheet = parseSubmission(assessment, entries);
  if (!sheet.ok) return { kind: 'invalid', message: sheet.message, issues: sheet.issues, values: sheet.values };

  const current = await loadUser(clerkId);
  if (current.state !== 'ready') return { kind: 'account', state: current.state };
  const team = clerkOrgId ? await loadOrganization(clerkOrgId, clerkId) : null;
  if (team && team.state !== 'ready') return { kind: 'organization', state: team.state };

  return unlessDatabaseDown(
    async (): Promise<SubmitOutcome> => {
      const id = await insertAssessment({
        userId: current.user._id,
        clerkUserId: clerkId,
        organization: team && { organizationId: team.organization._id, clerkOrgId: team.organization.clerkOrgId },
        slug: assessment.slug,
        title: assessment.title,
        ...scoreAnswers(assessment, sheet.answers),
        createdAt: new Date(),
      });
      if (await deletedMeanwhile(clerkId)) return { kind: 'account', state: 'deleted' };
      const left = team && (await leftMeanwhile(team.organization.clerkOrgId, clerkId));
      if (left) {
        await removeAssessment(clerkId, id);
        return { kind: 'organization', state: left };
      }
      return { kind: 'created', id: id.toHexString() };
    },
    (): SubmitOutcome => ({ kind: 'account', state: 'unavailable' }),
  );
}

/**
 * The organization deleted, or the membership ended, between our check and
 * our insert: a result is taken for an organization only by one of its
 * members, so the caller removes it again. An end written after this read
 * came after the result, which then stays, as a former member's results do.
 */
async function leftMeanwhile(clerkOrgId: string, clerkId: string): Promise<'deleted' | 'not_member' | null> {
  const [organization, membership] = await Promise.all([
    clerkSync.organizations.find(clerkOrgId),
    clerkSync.memberships.find(clerkOrgId, clerkId),
  ]);
  if (organization?.deletedAt) return 'deleted';
  if (membership?.deletedAt) return 'not_member';
  return null;
}

/**
 * A user.deleted may have landed between our check and our insert, and its
 * `onUserDeleted` hook may already have run: then our record would outlive its
 * owner. The engine writes the tombstone before it runs the hook, so seeing
 * none after the insert means the hook (if any) is still to come and will
 * find the record; seeing one, we apply the deletion policy to the user's
 * results again ourselves (idempotent, as the hook is).
 */
async function deletedMeanwhile(clerkId: string): Promise<boolean> {
  const user = await clerkSync.users.find(clerkId);
  if (!user?.deletedAt) return false;
  await applyDeletionPolicy(clerkId, env().DELETION_POLICY);
  return true;
}
