/** The end-of-run summary of `sync`, for people (a table) and scripts (rates in the JSON line). */
import type { SyncCounts, SyncSummary } from '../../sync/summary.js';

const perSecond = (read: number, elapsedMs: number) => (elapsedMs > 0 ? (read * 1000) / elapsedMs : 0);

export function usersPerSecond(summary: Pick<SyncSummary, 'usersRead' | 'elapsedMs'>): number {
  return perSecond(summary.usersRead, summary.elapsedMs);
}

/** Users, organizations and memberships read per second of the whole run (each over the run's elapsed time). */
export function ratesOf(summary: SyncSummary) {
  return {
    usersPerSecond: usersPerSecond(summary),
    organizationsPerSecond: perSecond(summary.organizationsRead, summary.elapsedMs),
    membershipsPerSecond: perSecond(summary.membershipsRead, summary.elapsedMs),
  };
}

const number = (value: number) => value.toLocaleString('en-US');

/** The human summary printed at the end of a run: one column each for users, organizations and memberships. */
export function formatSummary(summary: SyncSummary): string {
  const title = `${summary.kind}${summary.dryRun ? ' (dry run: nothing written)' : ''}`;
  const row = (label: string, key: keyof SyncCounts): [string, number[]] => [
    label,
    [summary.counts[key], summary.organizations[key], summary.memberships[key]],
  ];
  const rows: [string, number[]][] = [
    row('created', 'created'),
    row('updated', 'updated'),
    row('unchanged', 'unchanged'),
    row('stale (stored newer or tombstoned)', 'stale'),
    ...(summary.kind === 'reconcile' ? [row('tombstoned / ended (gone from Clerk)', 'tombstoned')] : []),
    row('failed (unreadable Clerk JSON)', 'failed'),
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  const columns = ['users', 'organizations', 'memberships'];
  const cell = (value: string, index: number) => value.padStart(columns[index]!.length);
  const resumed = [
    summary.resumedFromOffset ? `resumed at user offset ${number(summary.resumedFromOffset)}` : '',
    summary.resumedOrganizationsFromOffset !== null
      ? `resumed at organization offset ${number(summary.resumedOrganizationsFromOffset)}`
      : '',
  ].filter(Boolean);
  return [
    title,
    `  ${''.padEnd(width)}  ${columns.join('  ')}`,
    ...rows.map(([label, values]) => `  ${label.padEnd(width)}  ${values.map((value, index) => cell(number(value), index)).join('  ')}`),
    `  ${'elapsed'.padEnd(width)}  ${(summary.elapsedMs / 1000).toFixed(1)} s, ${number(summary.usersRead)} users, ${number(summary.organizationsRead)} organizations, ${number(summary.membershipsRead)} memberships read, ${number(Math.round(usersPerSecond(summary)))} users/s` +
      (resumed.length > 0 ? ` (${resumed.join(', ')})` : ''),
  ].join('\n');
}
