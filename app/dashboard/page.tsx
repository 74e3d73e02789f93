import type { Metadata } from 'next';
import { auth } from '@clerk/nextjs/server';
import { AccountState } from '@/components/account-state';
import { ProfileCard } from '@/components/profile-card';
import { loadCurrentUser } from '@/lib/users/current-user';

export const metadata: Metadata = { title: 'Dashboard' };

export default async function DashboardPage() {
  const { userId } = await auth.protect();
  const result = await loadCurrentUser(userId);

  return (
    <main>
      <h1>Dashboard</h1>
      {result.state === 'ready' ? <ProfileCard user={result.user} /> : <AccountState state={result.state} />}
    </main>
  );
}
