import type { Metadata } from 'next';
import Link from 'next/link';
import { auth } from '@clerk/nextjs/server';
import { notFound } from 'next/navigation';
import { AccountState } from '@/components/account-state';
import styles from '@/components/assessments/assessments.module.css';
import { formatDate } from '@/components/format-date';
import { reviewAnswers } from '@/lib/assessments/review';
import { loadResult } from '@/lib/assessments/views';

export const metadata: Metadata = { title: 'Assessment result' };

type Props = { params: Promise<{ id: string }> };

export default async function AssessmentResultPage({ params }: Props) {
  const { userId } = await auth.protect();
  const view = await loadResult(userId, (await params).id);
  if (view.state !== 'ready') {
    return (
      <main>
        <h1>Assessment result</h1>
        <AccountState state={view.state} />
      </main>
    );
  }
  // Malformed, unknown and someone else's ids look the same from here.
  if (!view.result) notFound();
  const { result } = view;

  return (
    <main>
      <h1 data-testid="result-title">{result.title}</h1>
      <section className={`card ${styles.scoreCard}`} aria-labelledby="score-heading">
        <h2 id="score-heading" className="muted">
          Your score
        </h2>
        <p className={styles.score} data-testid="result-score">
          {result.score} / {result.maxScore}
        </p>
        <p className="muted">Taken {formatDate(result.createdAt)}</p>
      </section>
      <section aria-labelledby="answers-heading">
        <h2 id="answers-heading">Your answers</h2>
        <table data-testid="result-answers">
          <thead>
            <tr>
              <th>Question</th>
              <th>Your answer</th>
              <th>Correct answer</th>
            </tr>
          </thead>
          <tbody>
            {reviewAnswers(result).map((answer) => (
              <tr key={answer.questionId}>
                <td>{answer.prompt}</td>
                <td>
                  <span className={`badge ${answer.isCorrect ? 'ok' : 'danger'}`}>{answer.isCorrect ? 'right' : 'wrong'}</span>{' '}
                  {answer.chosen}
                </td>
                <td>{answer.correct}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <div className="actions">
        <Link className="button" href="/dashboard">
          Back to your dashboard
        </Link>
        <Link className="button secondary" href="/assessments">
          Take another
        </Link>
      </div>
    </main>
  );
}
