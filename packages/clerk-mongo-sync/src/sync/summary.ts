/** What a sync run did to each user (organization, membership) it read, by outcome. */
export type SyncCounts = {
  /** Not stored before; inserted. */
  created: number;
  /** Stored with an older version; the guarded update applied. */
  updated: number;
  /** Stored with exactly Clerk's version. */
  unchanged: number;
  /** Stored newer than Clerk's answer (a webhook got there first) or tombstoned: left alone. */
  stale: number;
  /** Reconcile only: stored live, gone from Clerk, now a tombstone. */
  tombstoned: number;
  /** Clerk's JSON did not have the shape the engine reads; nothing written for them. */
  failed: number;
};

export const ZERO_COUNTS: SyncCounts = { created: 0, updated: 0, unchanged: 0, stale: 0, tombstoned: 0, failed: 0 };

export function addCounts(a: SyncCounts, b: Partial<SyncCounts>): SyncCounts {
  return {
    created: a.created + (b.created ?? 0),
    updated: a.updated + (b.updated ?? 0),
    unchanged: a.unchanged + (b.unchanged ?? 0),
    stale: a.stale + (b.stale ?? 0),
    tombstoned: a.tombstoned + (b.tombstoned ?? 0),
    failed: a.failed + (b.failed ?? 0),
  };
}

export type SyncSummary = {
  kind: 'backfill' | 'reconcile';
  dryRun: boolean;
  /** Users: totals of the whole run, across resumes. */
  counts: SyncCounts;
  /** Organizations, likewise (`tombstoned`: gone from Clerk, reconcile only). */
  organizations: SyncCounts;
  /** Memberships, likewise (`tombstoned`: ended because Clerk no longer has them, or their organization). */
  memberships: SyncCounts;
  /** Users read from Clerk by this process (a resumed run reads only the rest). */
  usersRead: number;
  organizationsRead: number;
  membershipsRead: number;
  /** Where this process started listing users: null, or the checkpoint of a run interrupted among users. */
  resumedFromOffset: number | null;
  /** Where this process started listing organizations: null, or the checkpoint of a run interrupted among them. */
  resumedOrganizationsFromOffset: number | null;
  elapsedMs: number;
  /** The part of `elapsedMs` spent on organizations and memberships (after the users). */
  organizationsElapsedMs: number;
};
