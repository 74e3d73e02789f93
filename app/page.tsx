import Link from 'next/link';
import { Show } from '@clerk/nextjs';

export default function HomePage() {
  return (
    <main>
      <h1>Your Clerk users, in your MongoDB.</h1>
      <p className="lead">
        Sign up with Clerk. Clerk&apos;s webhooks keep a <code>users</code> collection in MongoDB in sync — verified, idempotent and
        order-safe — so your own data can link to every user.
      </p>
      <div className="actions">
        <Show when="signed-out">
          <Link className="button" href="/sign-up">
            Create an account
          </Link>
          <Link className="button secondary" href="/sign-in">
            Sign in
          </Link>
        </Show>
        <Show when="signed-in">
          <Link className="button" href="/dashboard">
            Open your dashboard
          </Link>
        </Show>
      </div>
      <section className="card">
        <h2>How it works</h2>
        <ul className="steps">
          <li>You sign up through Clerk&apos;s hosted components.</li>
          <li>
            Clerk sends a signed <code>user.created</code> webhook; the app verifies it and upserts your profile.
          </li>
          <li>Updates, deletions and sessions follow the same path, applied in order whatever order they arrive in.</li>
        </ul>
      </section>
    </main>
  );
}
