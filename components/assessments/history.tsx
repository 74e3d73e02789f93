import Link from 'next/link';
import type { AssessmentRecord } from '@/lib/assessments/schema';
import { formatDate } from '@/components/format-date';
import styles from './assessments.module.css';

/** A user's results, newest first, each linking to its page. */
export function AssessmentHistory({ history }: { history: AssessmentRecord[] }) {
  if (history.length === 0) {
    return (
      <p className="muted" data-testid="history-empty">
        No assessments yet.
      </p>
    );
  }
  return (
    <table data-testid="history">
      <thead>
        <tr>
          <th>Assessment</th>
          <th>Score</th>
          <th>Taken</th>
        </tr>
      </thead>
      <tbody>
        {history.map((record) => (
          <tr key={record._id.toHexString()} data-testid="history-entry">
            <td>
              <Link href={`/assessments/${record._id.toHexString()}`}>{record.title}</Link>
            </td>
            <td className={styles.numeric}>
              {record.score} / {record.maxScore}
            </td>
            <td className={styles.numeric}>{formatDate(record.createdAt)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
