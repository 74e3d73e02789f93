import 'server-only';
import { applyDeletionPolicy } from '@/lib/assessments/repository';
import type { DeletionPolicy } from '@/lib/env/schema';
import { removeSessionsOf } from '@/lib/presence/sessions';

/** What the cascade changed; all zero when an earlier run already did the work. */
export type CascadeReport = { assessments: number; sessions: number };

/**
 * Everything a deleted user owns, dealt with after their tombstone is
 * written. Records (assessments) are removed, or under `anonymize` unlinked
 * from both ids and kept; sessions are always removed (they only exist for
 * presence). Each step matches only what is still linked to the user, so a
 * repeat is a no-op and a run cut short by an outage is finished by the retry.
 */
export async function cascadeUserDeletion(clerkId: string, policy: DeletionPolicy): Promise<CascadeReport> {
  const assessments = await applyDeletionPolicy(clerkId, policy);
  const sessions = await removeSessionsOf(clerkId);
  return { assessments, sessions };
}

export function changedAnything(report: CascadeReport): boolean {
  return report.assessments + report.sessions > 0;
}
