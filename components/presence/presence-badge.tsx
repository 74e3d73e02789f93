import type { Presence } from 'clerk-mongo-sync';
import { formatDate } from '../format-date';

/** "online", or "offline · last seen …": presence as of the render, never the stored flag. `null`: the database could not say. */
export function PresenceBadge({ presence, testId }: { presence: Presence | null; testId: string }) {
  if (!presence) {
    return (
      <span className="badge" data-testid={testId}>
        status unavailable
      </span>
    );
  }
  if (presence.isOnline) {
    return (
      <span className="badge ok" data-testid={testId}>
        online
      </span>
    );
  }
  return (
    <span data-testid={testId}>
      <span className="badge">offline</span>
      <span className="muted"> · {presence.lastSeen ? `last seen ${formatDate(presence.lastSeen)}` : 'never seen'}</span>
    </span>
  );
}
