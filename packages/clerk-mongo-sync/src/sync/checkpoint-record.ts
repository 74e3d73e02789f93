import type { SyncCounts } from './summary.js';

export type SyncKind = 'backfill' | 'reconcile';

/**
 * Where the organizations phase stands: the organization being worked on
 * (or the last one done) and how far into its memberships. Organizations are
 * listed oldest first, so every organization created before `clerkCreatedAt`
 * has all its memberships written.
 */
export type OrganizationsCheckpoint = {
  /** The organization's offset in Clerk's `+created_at` listing when it was read. */
  offset: number;
  clerkOrgId: string;
  /** Its Clerk `created_at` (ms). */
  clerkCreatedAt: number;
  /** Memberships of it written so far, in its `+created_at` listing; `null` once all are. */
  membershipOffset: number | null;
  organizationCounts: SyncCounts;
  membershipCounts: SyncCounts;
};

/**
 * Where a sync run stands, one document per kind in `sync_runs` (read and
 * written by `_id` only, so it needs no index). A run that did not complete
 * is resumed from it by the next run of the same kind: users first, then
 * organizations and their memberships.
 */
export type SyncCheckpoint = {
  _id: SyncKind;
  /** Every user before this offset of Clerk's `+created_at` listing has been written. */
  nextOffset: number;
  counts: SyncCounts;
  /** `organizations` once every user is written (absent on checkpoints of earlier versions: `users`). */
  phase?: 'users' | 'organizations';
  /** Set in the organizations phase once its first organization is worked on. */
  organizations?: OrganizationsCheckpoint | null;
  startedAt: Date;
  updatedAt: Date;
  completedAt: Date | null;
};
