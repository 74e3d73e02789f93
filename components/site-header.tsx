import Link from 'next/link';
import type { ReactNode } from 'react';
import { Show, SignInButton, SignUpButton, UserButton } from '@clerk/nextjs';
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
        <UserButton />
        <PresenceHeartbeat />
      </Show>
    </SiteHeaderFrame>
  );
}
