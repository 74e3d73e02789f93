import type { SyncCounts } from './summary.js';

export type SyncKind = 'backfill' | 'reconcile';

/**
 * Where a sync run stands, one document per kind in `sync_runs` (read and
 * written by `_id` only, so it needs no index). A run that did not complete
 * is resumed from `nextOffset` by the next run of the same kind.
 */
export type SyncCheckpoint = {
  _id: SyncKind;
  /** Every user before this offset of Clerk's `+created_at` listing has been written. */
  nextOffset: number;
  counts: SyncCounts;
  startedAt: Date;
  updatedAt: Date;
  completedAt: Date | null;
};
