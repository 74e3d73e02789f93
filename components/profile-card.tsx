import Image from 'next/image';
import type { Presence, UserDocument } from 'clerk-mongo-sync';
import { formatDate } from './format-date';
import { PresenceBadge } from './presence/presence-badge';

function displayName(user: Pick<UserDocument, 'firstName' | 'lastName' | 'username' | 'email' | 'phone' | 'clerkId'>): string {
  const fullName = [user.firstName, user.lastName].filter(Boolean).join(' ');
  return fullName || user.username || user.email || user.phone || user.clerkId;
}

/** `presence`: as of the request (the engine's `presence.of`), not the stored fields; `null` when it could not be read. */
export function ProfileCard({ user, presence }: { user: UserDocument; presence: Presence | null }) {
  const name = displayName(user);
  return (
    <section className="card" data-testid="profile">
      <div className="profile">
        {user.imageUrl ? (
          // Avatars come from Clerk's CDN; they are already sized and cached there.
          <Image className="avatar" src={user.imageUrl} alt={`Avatar of ${name}`} width={72} height={72} unoptimized data-testid="avatar" />
        ) : null}
        <div>
          <h2 data-testid="profile-name">{name}</h2>
          <PresenceBadge presence={presence} testId="profile-presence" />
        </div>
      </div>
      <dl className="fields">
        <dt>Email</dt>
        <dd data-testid="profile-email">{user.email ?? '—'}</dd>
        <dt>Username</dt>
        <dd>{user.username ?? '—'}</dd>
        <dt>Phone</dt>
        <dd>{user.phone ?? '—'}</dd>
        <dt>Clerk user id</dt>
        <dd>
          <code>{user.clerkId}</code>
        </dd>
        <dt>Last sign-in</dt>
        <dd>{formatDate(user.lastSignInAt)}</dd>
        <dt>Last seen</dt>
        <dd data-testid="profile-last-seen">{formatDate(presence?.lastSeen ?? user.lastSeen)}</dd>
        <dt>Synced</dt>
        <dd>{formatDate(user.updatedAt)}</dd>
      </dl>
    </section>
  );
}
