import Image from 'next/image';
import type { Person } from '@/lib/presence/people';
import { formatDate } from '../format-date';
import { PresenceBadge } from './presence-badge';

function nameOf(person: Person): string {
  return [person.firstName, person.lastName].filter(Boolean).join(' ') || person.username || 'Unnamed user';
}

export function PeopleList({ people, asOf }: { people: Person[]; asOf: Date }) {
  const online = people.filter((person) => person.presence.isOnline).length;
  return (
    <section aria-labelledby="people-heading">
      <h2 id="people-heading">
        <span data-testid="people-online-count">{online}</span> online now
      </h2>
      <p className="muted" data-testid="people-as-of">
        As of {formatDate(asOf)}; updates while this page is visible.
      </p>
      <ul className="people">
        {people.map((person) => (
          <li key={person.clerkId} className="card person" data-person={person.clerkId}>
            {person.imageUrl ? <Image className="avatar" src={person.imageUrl} alt="" width={40} height={40} unoptimized /> : null}
            <span className="person-name">
              {nameOf(person)}
              {person.isViewer ? <span className="muted"> (you)</span> : null}
            </span>
            <PresenceBadge presence={person.presence} testId="person-presence" />
          </li>
        ))}
      </ul>
    </section>
  );
}
