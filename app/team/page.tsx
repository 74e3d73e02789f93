import type { Metadata } from 'next';
import { auth } from '@clerk/nextjs/server';
import { RefreshWhileVisible } from '@/components/presence/refresh-while-visible';
import { MemberList } from '@/components/teams/member-list';
import { TeamResults } from '@/components/teams/team-results';
import { TeamState } from '@/components/teams/team-state';
import { formatDate } from '@/components/format-date';
import { PEOPLE_REFRESH_MS } from '@/lib/presence/timing';
import { ORG_ADMIN_ROLE } from '@/lib/teams/access';
import { loadTeam } from '@/lib/teams/team';

export const metadata: Metadata = { title: 'Team' };

export default async function TeamPage() {
  // The active organization and the admin claim come from the verified session token, never from the request.
  const { userId, sessionId, orgId, has } = await auth.protect();
  const view = await loadTeam({ clerkId: userId, sessionId, clerkOrgId: orgId, sessionSaysAdmin: has({ role: ORG_ADMIN_ROLE }) });

  if (view.state !== 'ready') {
    return (
      <main>
        <h1>Team</h1>
        <TeamState state={view.state} />
      </main>
    );
  }
  return (
    <main>
      <h1 data-testid="team-name">{view.organization.name}</h1>
      <p className="lead">
        {view.organization.slug ? <span className="muted">{view.organization.slug} · </span> : null}
        You are <span data-testid="team-viewer-role">{view.viewerRole}</span> here.
      </p>
      <RefreshWhileVisible everyMs={PEOPLE_REFRESH_MS} />
      <section aria-labelledby="members-heading">
        <h2 id="members-heading">
          Members <span className="muted">({view.members.length})</span>
        </h2>
        <p className="muted">From our database, as of {formatDate(view.asOf)}; presence updates while this page is visible.</p>
        <MemberList members={view.members} />
      </section>
      <TeamResults results={view.results} />
    </main>
  );
}
