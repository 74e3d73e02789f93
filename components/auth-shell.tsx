import { ClerkDegraded, ClerkFailed, ClerkLoading } from '@clerk/nextjs';
import type { ComponentType, ReactNode } from 'react';

/**
 * Where Clerk mounts its sign-in or sign-up form, saying what is happening
 * while it cannot: Clerk's script is still loading, failed to load (a wrong
 * publishable key, no network, a blocker), or runs degraded.
 */
function AuthShell({ form, children }: { form: string; children: ReactNode }) {
  return (
    <main className="auth-shell" data-testid="auth-shell">
      <ClerkLoading>
        <p role="status">Loading the {form} form…</p>
      </ClerkLoading>
      <ClerkFailed>
        <div role="alert" className="card notice">
          <p>
            <strong>The {form} form could not load.</strong> Clerk&apos;s script did not arrive.
          </p>
          <p>
            Check your network and any content blocker; if you run this app, check that NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY is this
            instance&apos;s key, then run <code>npm run doctor</code>.
          </p>
        </div>
      </ClerkFailed>
      <ClerkDegraded>
        <p role="status">Clerk is running in a degraded mode: signing in may be slow or fail; try again in a moment.</p>
      </ClerkDegraded>
      {children}
    </main>
  );
}

/** A page that mounts one of Clerk's forms (`SignIn`, `SignUp`) in the shell. */
export function authPage(form: string, Form: ComponentType) {
  return function AuthPage() {
    return (
      <AuthShell form={form}>
        <Form />
      </AuthShell>
    );
  };
}
