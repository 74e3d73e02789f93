import Link from 'next/link';
import type { ReactNode } from 'react';
import { OrganizationSwitcher, Show, SignInButton, SignUpButton, UserButton } from '@clerk/nextjs';
import { auth } from '@clerk/nextjs/server';
import { PresenceHeartbeat } from './presence/heartbeat';

/** The header without Clerk: the brand, and the account navigation when there is one. */
export function SiteHeaderFrame({ children }: { children?: ReactNode }) {
  return (
    <header className="site-header">
      <Link href="/" className="brand">
        clerk-mongo-sync
      </Link>
      {children ? <nav aria-label="Account">{children}</nav> : null}
    </header>
  );
}

export function SiteHeader() {
  return (
    <SiteHeaderFrame>
      <Show when="signed-out">
        <SignInButton>
          <button className="button secondary" type="button">
            Sign in
          </button>
        </SignInButton>
        <SignUpButton>
          <button className="button" type="button">
            Sign up
          </button>
        </SignUpButton>
      </Show>
      <Show when="signed-in">
        <Link href="/dashboard">Dashboard</Link>
        <Link href="/assessments">Assessments</Link>
        <Link href="/people">People</Link>
        <Link href="/team">Team</Link>
        <OrganizationSwitcher
          fallback={<ActiveOrganization />}
          afterSelectOrganizationUrl="/team"
          afterCreateOrganizationUrl="/team"
          afterSelectPersonalUrl="/dashboard"
          afterLeaveOrganizationUrl="/dashboard"
        />
        <UserButton />
        <PresenceHeartbeat />
      </Show>
    </SiteHeaderFrame>
  );
}

/**
 * Where Clerk's organization switcher mounts, until Clerk's UI (loaded from
 * the Frontend API in the browser) has mounted it: the session's active
 * organization as the server read it from the session token, so the header
 * says which organization /team and new assessments are for even when
 * Clerk's UI is slow or cannot load at all.
 */
async function ActiveOrganization() {
  const { orgSlug } = await auth();
  return (
    <span className="active-organization" data-testid="active-organization">
      {orgSlug ?? 'Personal account'}
    </span>
  );
}
