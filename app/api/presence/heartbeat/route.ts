import { auth } from '@clerk/nextjs/server';
import type { HeartbeatOutcome } from 'clerk-mongo-sync';
import { clerkSync } from '@/lib/clerk-sync';

export const dynamic = 'force-dynamic';

const NO_STORE = { 'Cache-Control': 'no-store' };

const STATUS: Record<HeartbeatOutcome, number> = {
  recorded: 200,
  throttled: 200,
  session_over: 200,
  deleted: 200,
  unavailable: 503,
};

/** A visible signed-in tab reporting activity (components/presence/heartbeat.tsx). Authenticated by the Clerk session alone. */
export async function POST(): Promise<Response> {
  const { userId, sessionId } = await auth();
  if (!userId || !sessionId) return Response.json({ outcome: 'signed_out' }, { status: 401, headers: NO_STORE });
  const outcome = await clerkSync.presence.heartbeat({ clerkId: userId, sessionId });
  return Response.json({ outcome }, { status: STATUS[outcome], headers: NO_STORE });
}
