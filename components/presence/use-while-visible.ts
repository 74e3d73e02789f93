'use client';
import { useEffect, useRef } from 'react';

/**
 * Runs `task` every `everyMs` while the page is visible (and at once when
 * mounted, with `runOnMount`); stops while it is hidden and runs again at
 * once when it comes back. Presence follows what the user is looking at, not
 * what is open in a background tab.
 */
export function useWhileVisible(task: () => void, everyMs: number, { runOnMount }: { runOnMount: boolean }): void {
  const latest = useRef(task);
  useEffect(() => {
    latest.current = task;
  }, [task]);

  useEffect(() => {
    let timer: ReturnType<typeof setInterval> | undefined;
    const run = () => latest.current();
    const stop = () => {
      clearInterval(timer);
      timer = undefined;
    };
    const follow = (runNow: boolean) => {
      if (document.visibilityState !== 'visible') return stop();
      if (timer !== undefined) return;
      if (runNow) run();
      timer = setInterval(run, everyMs);
    };
    const onVisibilityChange = () => follow(true);
    follow(runOnMount);
    document.addEventListener('visibilitychange', onVisibilityChange);
    return () => {
      stop();
      document.removeEventListener('visibilitychange', onVisibilityChange);
    };
  }, [everyMs, runOnMount]);
}
