import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { ClerkUnavailable } from '@/components/clerk-unavailable';
import { clerkKeysFromEnv, type ClerkProblem } from '@/lib/env/clerk-setup';

export const metadata: Metadata = { title: 'Sign-in unavailable' };

type Props = { searchParams: Promise<{ problem?: string | string[] }> };

/**
 * Every page while Clerk cannot work: the middleware rewrites to here (the
 * address bar keeps the page asked for). The keys are judged again from the
 * environment; that Clerk is unreachable only the middleware can know.
 */
export default async function ClerkUnavailablePage({ searchParams }: Props) {
  const keys = clerkKeysFromEnv();
  const { problem } = await searchParams;
  const shown: ClerkProblem | undefined = !keys.ok
    ? keys
    : problem === 'unreachable'
      ? { problem: 'unreachable', frontendApi: keys.frontendApi }
      : undefined;
  if (!shown) notFound();
  return <ClerkUnavailable problem={shown} development={process.env.NODE_ENV === 'development'} />;
}
