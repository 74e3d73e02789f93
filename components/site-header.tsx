import Link from 'next/link';
import { Show, SignInButton, SignUpButton, UserButton } from '@clerk/nextjs';
import { PresenceHeartbeat } from './presence/heartbeat';

export function SiteHeader() {
  return (
    <header className="site-header">
      <Link href="/" className="brand">
        clerk-mongo-sync
      </Link>
      <nav aria-label="Account">
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
      </nav>
    </header>
  );
}
