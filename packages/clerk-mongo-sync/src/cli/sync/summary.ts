/** The end-of-run summary of `sync`, for people (a table) and scripts (users/s in the JSON line). */
import type { SyncSummary } from '../../sync/summary.js';

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
