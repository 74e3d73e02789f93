import { CLERK_INIT_COMMAND, CLERK_KEYS_SOURCE, clerkProblemSummary, type ClerkProblem } from '@/lib/env/clerk-setup';

type Props = {
  problem: ClerkProblem;
  /** `next dev` on a developer's machine: the fix goes into .env.local, and the CLIs are at hand. */
  development: boolean;
};

const HEADINGS: Record<ClerkProblem['problem'], string> = {
  missing: 'Sign-in is not set up yet',
  malformed: 'Sign-in is not set up: the Clerk keys are malformed',
  unreachable: 'Sign-in is unavailable: Clerk cannot be reached',
};

/**
 * What every page shows while Clerk cannot work (middleware.ts): what
 * happened, the one fix that applies, and what works meanwhile. Names
 * variables and rules, never a value.
 */
export function ClerkUnavailable({ problem, development }: Props) {
  return (
    <main data-testid="clerk-unavailable">
      <h1>{HEADINGS[problem.problem]}</h1>
      <section className="card notice" role="alert" aria-labelledby="clerk-problem-heading">
        <h2 id="clerk-problem-heading">What happened</h2>
        <WhatHappened problem={problem} />
        <h2>How to fix it</h2>
        <Fix problem={problem} development={development} />
      </section>
      {development ? <WorksMeanwhile /> : <p className="muted">Signing in and the pages behind it are unavailable until then.</p>}
    </main>
  );
}

function WhatHappened({ problem }: { problem: ClerkProblem }) {
  switch (problem.problem) {
    case 'missing':
      return (
        <p>
          Neither <code>NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY</code> nor <code>CLERK_SECRET_KEY</code> is set, so Clerk cannot start. (Clerk no
          longer creates temporary keys by itself: since <code>@clerk/nextjs</code> 7.8, keyless set-up is a command.)
        </p>
      );
    case 'malformed':
      return (
        <>
          <p>Clerk&apos;s keys are set, but Clerk cannot use them:</p>
          <ul>
            {problem.rules.map((rule) => (
              <li key={rule}>{rule}</li>
            ))}
          </ul>
        </>
      );
    case 'unreachable':
      return <p>{clerkProblemSummary(problem)}: this server could not reach it, so no browser can sign in through it either.</p>;
  }
}

function Fix({ problem, development }: Props) {
  const where = development ? (
    <code>.env.local</code>
  ) : (
    <>your host&apos;s environment variables, then redeploy (the middleware reads them at build time)</>
  );
  const then = development ? <p className="muted">Then reload this page: the app picks up a changed .env.local by itself.</p> : null;
  switch (problem.problem) {
    case 'missing':
      return (
        <>
          <ul>
            <li>
              With a Clerk instance: copy its keys from Clerk Dashboard → API keys into {where} as{' '}
              <code>NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY</code> and <code>CLERK_SECRET_KEY</code>.
            </li>
            {development ? (
              <li>
                Without a Clerk account: with internet, run <code>{CLERK_INIT_COMMAND}</code>. It creates a claimable development instance
                and writes its temporary keys into <code>.env.local</code>, no sign-up needed.
              </li>
            ) : null}
          </ul>
          {then}
        </>
      );
    case 'malformed':
      return (
        <>
          <p>
            Correct them in {where}: {CLERK_KEYS_SOURCE}.
          </p>
          {then}
        </>
      );
    case 'unreachable':
      return (
        <p>
          Connect this machine to the internet, or let it reach <code>{problem.frontendApi}</code> through your firewall or proxy, then
          reload this page.
        </p>
      );
  }
}

function WorksMeanwhile() {
  return (
    <section aria-labelledby="meanwhile-heading">
      <h2 id="meanwhile-heading">What works meanwhile</h2>
      <p className="muted">
        Everything but signing in: the webhook receiver, the database and the tools need no Clerk account and no internet.
      </p>
      <ul>
        <li>
          <code>npm run webhook -- send user.created --first-name Ada</code>: signs a Clerk event exactly as Svix does and delivers it here
          (the README&apos;s five-minute tour; <code>npm run webhook -- secret --write</code> sets up the secret).
        </li>
        <li>
          <code>npm run db -- users</code>: what the deliveries wrote to MongoDB.
        </li>
        <li>
          <code>npm run doctor</code>: every link of the chain, the Clerk keys included, each with a one-line fix.
        </li>
        <li>
          <a href="/api/health">/api/health</a>: the configuration and the database, as a monitor sees them.
        </li>
      </ul>
    </section>
  );
}
