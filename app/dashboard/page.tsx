import type { Metadata } from 'next';
import Link from 'next/link';
import { auth } from '@clerk/nextjs/server';
import { AccountState } from '@/components/account-state';
import { AssessmentHistory } from '@/components/assessments/history';
import { ProfileCard } from '@/components/profile-card';
import { loadHistory } from '@/lib/assessments/views';
import { clerkSync } from '@/lib/clerk-sync';

export const metadata: Metadata = { title: 'Dashboard' };

export default async function DashboardPage() {
  const { userId, sessionId } = await auth.protect();
  // This page view is activity: recorded first, so the card shows the user as they are now.
  await clerkSync.presence.heartbeat({ clerkId: userId, sessionId });
  const view = await loadHistory(userId);
  const presence = view.state === 'ready' ? await clerkSync.presence.of(view.user) : null;

  return (
    <main>
      <h1>Dashboard</h1>
      {view.state === 'ready' ? (
        <>
          <ProfileCard user={view.user} presence={presence} />
          <section aria-labelledby="history-heading">
            <h2 id="history-heading">Your assessments</h2>
            <AssessmentHistory history={view.history} />
            <p>
              <Link href="/assessments">Take an assessment</Link>
            </p>
          </section>
        </>
      ) : (
        <AccountState state={view.state} />
      )}
    </main>
  );
}
