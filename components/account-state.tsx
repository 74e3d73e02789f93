import type { CurrentUser } from 'clerk-mongo-sync';

type Props = { state: Exclude<CurrentUser['state'], 'ready'> };

const COPY: Record<Props['state'], { title: string; body: string; tone: string }> = {
  pending: {
    title: 'Your account is being set up',
    body: 'We are syncing your profile from Clerk. This usually takes a few seconds — refresh the page in a moment.',
    tone: 'notice',
  },
  deleted: {
    title: 'This account has been removed',
    body: 'The account was deleted in Clerk, and its profile data has been erased from our database.',
    tone: 'removed',
  },
  unavailable: {
    title: 'Your profile is temporarily unavailable',
    body: 'We cannot reach our database right now. Please try again in a minute.',
    tone: 'notice',
  },
};

export function AccountState({ state }: Props) {
  const copy = COPY[state];
  return (
    <section className={`card ${copy.tone}`} data-testid={`account-${state}`} role="status">
      <h2>{copy.title}</h2>
      <p className="muted">{copy.body}</p>
    </section>
  );
}
