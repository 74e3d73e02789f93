'use server';

import { auth } from '@clerk/nextjs/server';
import { notFound, redirect } from 'next/navigation';
import { submitAssessment, type AssessmentFormState } from '@/lib/assessments/submit';

/**
 * Submits an answer sheet (bound to the assessment's slug). A server action
 * is a public endpoint: it checks the session itself, and everything the
 * browser sent (slug included) is validated again on the server.
 */
export async function submitAssessmentAction(
  slug: string,
  _previous: AssessmentFormState,
  formData: FormData,
): Promise<AssessmentFormState> {
  // The organization is the session's active one, as the server reads it: never a field the browser sent.
  const { userId, orgId } = await auth.protect();
  const outcome = await submitAssessment(userId, slug, formData.entries(), orgId ?? null);
  switch (outcome.kind) {
    case 'created':
      redirect(`/assessments/${outcome.id}`);
    case 'unknown_assessment':
      notFound();
    default:
      return outcome;
  }
}
