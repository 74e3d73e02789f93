'use client';
import { useRouter } from 'next/navigation';
import { useCallback } from 'react';
import { useWhileVisible } from './use-while-visible';

/**
 * Re-renders the page's server components every `everyMs` while the page is
 * visible (polling): presence is recomputed on the server as of each refresh,
 * without a reload and without client state.
 */
export function RefreshWhileVisible({ everyMs }: { everyMs: number }) {
  const router = useRouter();
  const refresh = useCallback(() => router.refresh(), [router]);
  useWhileVisible(refresh, everyMs, { runOnMount: false });
  return null;
}
