/** What a sync run did to each user it read, by outcome. */
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
  /** Clerk's JSON did not have the shape the app reads; nothing written for them. */
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
  /** Totals of the whole run, across resumes. */
  counts: SyncCounts;
  /** Users read from Clerk by this process (a resumed run reads only the rest). */
  usersRead: number;
  /** Where this process started listing: 0, or the checkpoint of an interrupted run. */
  resumedFromOffset: number | null;
  elapsedMs: number;
};

export function usersPerSecond(summary: Pick<SyncSummary, 'usersRead' | 'elapsedMs'>): number {
  return summary.elapsedMs > 0 ? (summary.usersRead * 1000) / summary.elapsedMs : 0;
}

const number = (value: number) => value.toLocaleString('en-US');

/** The human summary printed at the end of a run. */
export function formatSummary(summary: SyncSummary): string {
  const { counts } = summary;
  const title = `${summary.kind}${summary.dryRun ? ' (dry run: nothing written)' : ''}`;
  const rows: [string, number][] = [
    ['created', counts.created],
    ['updated', counts.updated],
    ['unchanged', counts.unchanged],
    ['stale (stored newer or tombstoned)', counts.stale],
    ...(summary.kind === 'reconcile' ? ([['tombstoned (gone from Clerk)', counts.tombstoned]] as [string, number][]) : []),
    ['failed (unreadable Clerk JSON)', counts.failed],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  return [
    title,
    ...rows.map(([label, value]) => `  ${label.padEnd(width)}  ${number(value)}`),
    `  ${'elapsed'.padEnd(width)}  ${(summary.elapsedMs / 1000).toFixed(1)} s, ${number(summary.usersRead)} users read, ${number(Math.round(usersPerSecond(summary)))} users/s` +
      (summary.resumedFromOffset ? ` (resumed at offset ${number(summary.resumedFromOffset)})` : ''),
  ].join('\n');
}
