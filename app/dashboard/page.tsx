import type { Metadata } from 'next';
import Link from 'next/link';
import { auth } from '@clerk/nextjs/server';
import { AccountState } from '@/components/account-state';
import { AssessmentHistory } from '@/components/assessments/history';
import { ProfileCard } from '@/components/profile-card';
import { loadHistory } from '@/lib/assessments/views';

export const metadata: Metadata = { title: 'Dashboard' };

export default async function DashboardPage() {
  const { userId } = await auth.protect();
  const view = await loadHistory(userId);

  return (
    <main>
      <h1>Dashboard</h1>
      {view.state === 'ready' ? (
        <>
          <ProfileCard user={view.user} />
          <section aria-labelledby="history-heading">
            <h2 id="history-heading">Your assessments</h2>
            <AssessmentHistory history={view.history} />
            <p><Link href="/assessments">Take an assessment</Link></p>
          </section>
        </>
      ) : (
        <AccountState state={view.state} />
      )}
    </main>
  );
}
