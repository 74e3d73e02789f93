import type { Metadata } from 'next';
import { auth } from '@clerk/nextjs/server';
import { AccountState } from '@/components/account-state';
import { PeopleList } from '@/components/presence/people-list';
import { RefreshWhileVisible } from '@/components/presence/refresh-while-visible';
import { loadPeople } from '@/lib/presence/people';
import { PEOPLE_REFRESH_MS } from '@/lib/presence/timing';

export const metadata: Metadata = { title: 'People' };

export default async function PeoplePage() {
  const { userId, sessionId } = await auth.protect();
  const view = await loadPeople({ clerkId: userId, sessionId });

  return (
    <main>
      <h1>People</h1>
      <RefreshWhileVisible everyMs={PEOPLE_REFRESH_MS} />
      {view.state === 'ready' ? <PeopleList people={view.people} asOf={view.asOf} /> : <AccountState state={view.state} />}
    </main>
  );
}
