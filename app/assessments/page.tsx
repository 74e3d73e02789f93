import type { Metadata } from 'next';
import Link from 'next/link';
import { ASSESSMENTS } from '@/lib/assessments/catalogue';
import styles from '@/components/assessments/assessments.module.css';

export const metadata: Metadata = { title: 'Assessments' };

export default function AssessmentsPage() {
  return (
    <main>
      <h1>Assessments</h1>
      <p className="lead">
        Five questions each, scored on the server. Your results are linked to your account and listed on your dashboard.
      </p>
      <div className={styles.catalogue}>
        {ASSESSMENTS.map((assessment) => (
          <section key={assessment.slug} className="card" data-testid={`assessment-${assessment.slug}`}>
            <h2>{assessment.title}</h2>
            <p className="muted">{assessment.summary}</p>
            <Link className="button" href={`/assessments/take/${assessment.slug}`}>
              Start
            </Link>
          </section>
        ))}
      </div>
    </main>
  );
}
