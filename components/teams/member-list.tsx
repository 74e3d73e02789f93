import Image from 'next/image';
import type { TeamMember } from '@/lib/teams/team';
import { PresenceBadge } from '../presence/presence-badge';

/** The organization's members from our database: admins first, each with their role and presence. */
export function MemberList({ members }: { members: TeamMember[] }) {
  return (
    <ul className="people" data-testid="team-members">
      {members.map((member) => (
        <li key={member.clerkUserId} className="card person" data-member={member.clerkUserId}>
          {member.imageUrl ? <Image className="avatar" src={member.imageUrl} alt="" width={40} height={40} unoptimized /> : null}
          <span className="person-name" data-testid="member-name">
            {member.name}
            {member.isViewer ? <span className="muted"> (you)</span> : null}
          </span>
          <span className="badge" data-testid="member-role" data-role={member.role}>
            {member.roleLabel}
          </span>
          <PresenceBadge presence={member.presence} testId="member-presence" />
        </li>
      ))}
    </ul>
  );
}
