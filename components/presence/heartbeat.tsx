'use client';
import { HEARTBEAT_INTERVAL_MS } from '@/lib/presence/timing';
import { useWhileVisible } from './use-while-visible';

const HEARTBEAT_PATH = '/api/presence/heartbeat';

function beat(): void {
  // Best effort: a missed beat only lets presence age, and the next one catches up.
  void fetch(HEARTBEAT_PATH, { method: 'POST', cache: 'no-store' }).catch(() => undefined);
}

/** Rendered for signed-in visitors only (components/site-header.tsx): their open, visible tab is activity. */
export function PresenceHeartbeat() {
  useWhileVisible(beat, HEARTBEAT_INTERVAL_MS, { runOnMount: true });
  // A marker, not UI: says (to tests, to someone reading the page) that this page reports activity.
  return <span hidden data-presence-heartbeat="" />;
}
