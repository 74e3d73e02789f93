import Link from 'next/link';
import type { TeamView } from '@/lib/teams/team';
import { formatDate } from '../format-date';
import styles from '../assessments/assessments.module.css';

type Results = Extract<TeamView, { state: 'ready' }>['results'];

/**
 * The organization's assessment results the viewer may see: every member's
 * for an admin, their own otherwise. A result links to its page only for
 * its owner (the result page is the owner's alone).
 */
export function TeamResults({ results }: { results: Results }) {
  const everyone = results.access === 'all';
  return (
    <section aria-labelledby="team-results-heading" data-testid="team-results" data-access={results.access}>
      <h2 id="team-results-heading">{everyone ? 'Team results' : 'Your results for this team'}</h2>
      <p className="muted">
        {everyone
          ? "As an admin of this organization you see every member's results taken for it."
          : "Only the organization's admins see every member's results."}
      </p>
      {results.records.length === 0 ? (
        <p className="muted" data-testid="team-results-empty">
          No assessments taken for this organization yet. <Link href="/assessments">Take one</Link>.
        </p>
      ) : (
        <table>
          <thead>
            <tr>
              {everyone ? <th>Member</th> : null}
              <th>Assessment</th>
              <th>Score</th>
              <th>Taken</th>
            </tr>
          </thead>
          <tbody>
            {results.records.map((record) => (
              <tr key={record._id.toHexString()} data-testid="team-result">
                {everyone ? <td data-testid="team-result-member">{record.memberName}</td> : null}
                <td>{record.isViewers ? <Link href={`/assessments/${record._id.toHexString()}`}>{record.title}</Link> : record.title}</td>
                <td className={styles.numeric}>
                  {record.score} / {record.maxScore}
                </td>
                <td className={styles.numeric}>{formatDate(record.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
