import type { Metadata } from 'next';
import { auth } from '@clerk/nextjs/server';
import { notFound } from 'next/navigation';
import { AccountState } from '@/components/account-state';
import { AssessmentForm } from '@/components/assessments/assessment-form';
import { findAssessment, publicAssessment } from '@/lib/assessments/catalogue';
import { TeamState } from '@/components/teams/team-state';
import { loadOrganization, loadUser } from '@/lib/clerk-sync';
import { submitAssessmentAction } from '../../actions';

type Props = { params: Promise<{ slug: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: findAssessment((await params).slug)?.title ?? 'Assessment' };
}

export default async function TakeAssessmentPage({ params }: Props) {
  const { userId, orgId } = await auth.protect();
  const assessment = findAssessment((await params).slug);
  if (!assessment) notFound();
  const current = await loadUser(userId);
  // Taken for the session's active organization, if any: the action stores it for the same one, read again there.
  const team = orgId && current.state === 'ready' ? await loadOrganization(orgId, userId) : null;

  return (
    <main>
      <h1>{assessment.title}</h1>
      <p className="lead">{assessment.summary}</p>
      {current.state !== 'ready' ? (
        <AccountState state={current.state} />
      ) : team && team.state !== 'ready' ? (
        <TeamState state={team.state} />
      ) : (
        <>
          {team ? (
            <p className="card" data-testid="assessment-organization">
              Taken for <strong>{team.organization.name}</strong>: its admins see your result on the Team page.
            </p>
          ) : null}
          <AssessmentForm assessment={publicAssessment(assessment)} action={submitAssessmentAction.bind(null, assessment.slug)} />
        </>
      )}
    </main>
  );
}
