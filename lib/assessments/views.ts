import 'server-only';
import { unlessDatabaseDown, type CurrentUser } from 'clerk-mongo-sync';
import { loadUser, type AppUser } from '@/lib/clerk-sync';
import { findOwnAssessment, listAssessmentsOf } from './repository';
import type { AssessmentRecord } from './schema';

/**
 * What the assessment pages show, loaded for the signed-in user. Every page
 * goes through `loadUser` first: a user who is still pending, deleted
 * or unreachable sees that state, never a half-loaded page.
 */
type AccountState = { state: Exclude<CurrentUser['state'], 'ready'> };

export type HistoryView = { state: 'ready'; user: AppUser; history: AssessmentRecord[] } | AccountState;
export type ResultView = { state: 'ready'; result: AssessmentRecord | null } | AccountState;

export function loadHistory(clerkId: string): Promise<HistoryView> {
  return forReadyUser(clerkId, async (user) => ({ state: 'ready', user, history: await listAssessmentsOf(clerkId) }));
}

/** `result: null` when the id is malformed, unknown or someone else's: the page answers 404 for all three. */
export function loadResult(clerkId: string, id: string): Promise<ResultView> {
  return forReadyUser(clerkId, async () => ({ state: 'ready', result: await findOwnAssessment(clerkId, id) }));
}

async function forReadyUser<T>(clerkId: string, load: (user: AppUser) => Promise<T>): Promise<T | AccountState> {
  const current = await loadUser(clerkId);
  if (current.state !== 'ready') return { state: current.state };
  return unlessDatabaseDown(
    () => load(current.user),
    (): AccountState => ({ state: 'unavailable' }),
  );
}
