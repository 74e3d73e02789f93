import Link from 'next/link';
import type { TeamView } from '@/lib/teams/team';

type Props = { state: Exclude<TeamView['state'], 'ready'> };

const COPY: Record<Props['state'], { title: string; body: string; tone: string }> = {
  no_organization: {
    title: 'No active organization',
    body: 'You are using your personal account. Choose or create an organization with the switcher in the header to see its team here.',
    tone: '',
  },
  pending: {
    title: 'Your organization is being set up',
    body: 'We are syncing the organization and your membership from Clerk. This usually takes a few seconds — refresh the page in a moment.',
    tone: 'notice',
  },
  not_member: {
    title: 'You are not a member of this organization',
    body: 'Clerk does not list you as a member of the active organization (you may have left or been removed). Choose another organization with the switcher.',
    tone: 'removed',
  },
  deleted: {
    title: 'This organization has been deleted',
    body: 'The organization was deleted in Clerk, and its details have been erased from our database. Choose another organization with the switcher.',
    tone: 'removed',
  },
  unavailable: {
    title: 'Your team is temporarily unavailable',
    body: 'We cannot reach our database right now. Please try again in a minute.',
    tone: 'notice',
  },
};

/** Why the active organization cannot be shown (or used for an assessment) right now. */
export function TeamState({ state }: Props) {
  const copy = COPY[state];
  return (
    <section className={`card ${copy.tone}`} data-testid={`team-${state}`} role="status">
      <h2>{copy.title}</h2>
      <p className="muted">{copy.body}</p>
      {state === 'no_organization' ? null : (
        <p>
          <Link href="/dashboard">Back to your dashboard</Link>
        </p>
      )}
    </section>
  );
}
