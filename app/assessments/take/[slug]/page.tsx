import type { Metadata } from 'next';
import { auth } from '@clerk/nextjs/server';
import { notFound } from 'next/navigation';
import { AccountState } from '@/components/account-state';
import { AssessmentForm } from '@/components/assessments/assessment-form';
import { findAssessment, publicAssessment } from '@/lib/assessments/catalogue';
import { loadUser } from '@/lib/clerk-sync';
import { submitAssessmentAction } from '../../actions';

type Props = { params: Promise<{ slug: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: findAssessment((await params).slug)?.title ?? 'Assessment' };
}

export default async function TakeAssessmentPage({ params }: Props) {
  const { userId } = await auth.protect();
  const assessment = findAssessment((await params).slug);
  if (!assessment) notFound();
  const current = await loadUser(userId);

  return (
    <main>
      <h1>{assessment.title}</h1>
      <p className="lead">{assessment.summary}</p>
      {current.state === 'ready' ? (
        <AssessmentForm assessment={publicAssessment(assessment)} action={submitAssessmentAction.bind(null, assessment.slug)} />
      ) : (
        <AccountState state={current.state} />
      )}
    </main>
  );
}
