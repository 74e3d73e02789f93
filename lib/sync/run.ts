import 'server-only';
import type { Db } from 'mongodb';
import { db } from '@/lib/db/client';
import { unlessDatabaseDown } from '@/lib/db/errors';
import { freshCheckpoint, saveCheckpoint, unfinishedRun, type SyncCheckpoint, type SyncKind } from './checkpoint';
import { ClerkRequestFailed, type ClerkFailure } from '@/lib/clerk/api-errors';
import { listUserPages, MAX_PAGE_SIZE, type ClerkUsersApi } from './clerk-pages';
import { ListedIds, tombstoneUsersMissingFromClerk } from './reconcile';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry';
import { addCounts, ZERO_COUNTS, type SyncCounts, type SyncSummary } from './summary';
import { UserBatchWriter } from './user-batch-writer';

/** Told how far a run is; the sync CLI draws it (tools/sync/progress.ts). */
export type ProgressReporter = {
  update(done: number, total: number): void;
  finish(): void;
};

const SILENT_PROGRESS: ProgressReporter = { update() {}, finish() {} };

export type SyncOptions = {
  kind: SyncKind;
  api: ClerkUsersApi;
  /** Read and count everything, write nothing (no checkpoint either). */
  dryRun?: boolean;
  /** Ignore an unfinished run's checkpoint and start from the first user. */
  restart?: boolean;
  /** Users per Clerk request, at most 500 (Clerk's limit). */
  pageSize?: number;
  /** Already-stored users looked up together (see UserBatchWriter). */
  lookupBatchSize?: number;
  retry?: RetryPolicy;
  progress?: ProgressReporter;
  /** Aborting stops the run between pages; the checkpoint stays where the writes are. */
  signal?: AbortSignal;
};

export type SyncOutcome =
  | { status: 'completed'; summary: SyncSummary }
  | { status: 'interrupted'; summary: SyncSummary }
  | { status: 'clerk_failed'; failure: ClerkFailure['kind']; message: string; summary: SyncSummary }
  | { status: 'database_unavailable'; message: string };

const DEFAULT_LOOKUP_BATCH = 5_000;

/**
 * `npm run sync -- backfill|reconcile`: every Clerk user into `users` through
 * the webhooks' order guard; reconcile then tombstones the users Clerk no
 * longer has. Failures of Clerk or the database are outcomes; anything else
 * (a bug) is thrown.
 */
export async function runSync(options: SyncOptions): Promise<SyncOutcome> {
  const startedAt = Date.now();
  return unlessDatabaseDown(
    async () => syncWith(await db(), options, startedAt),
    (error): SyncOutcome => ({ status: 'database_unavailable', message: error instanceof Error ? error.message : String(error) }),
  );
}

async function syncWith(database: Db, options: SyncOptions, startedAt: number): Promise<SyncOutcome> {
  const { kind, api, dryRun = false, signal } = options;
  const pageSize = Math.min(options.pageSize ?? MAX_PAGE_SIZE, MAX_PAGE_SIZE);
  const retry = options.retry ?? DEFAULT_RETRY_POLICY;
  const progress = options.progress ?? SILENT_PROGRESS;

  const resumed = dryRun || options.restart ? null : await unfinishedRun(database, kind);
  // Resume one page before the checkpoint: users deleted in Clerk since then shift later users to lower
  // offsets, and up to a page of them would otherwise be skipped. Re-reading a page costs little: its
  // writes are idempotent and come out "unchanged". (A larger shift is caught by the next run.)
  const resumeOffset = resumed ? Math.max(0, resumed.nextOffset - pageSize) : 0;
  const baseCounts = resumed?.counts ?? ZERO_COUNTS;
  let checkpoint: SyncCheckpoint = resumed ? { ...resumed, nextOffset: resumeOffset } : freshCheckpoint(kind);
  const save = async (nextOffset: number, counts: SyncCounts, completedAt: Date | null = null) => {
    checkpoint = { ...checkpoint, nextOffset, counts, completedAt };
    if (!dryRun) await saveCheckpoint(database, checkpoint);
  };
  await save(resumeOffset, baseCounts);

  const writer = new UserBatchWriter(database, { dryRun, lookupBatchSize: options.lookupBatchSize ?? DEFAULT_LOOKUP_BATCH });
  // Reconcile needs every id Clerk lists, so it lists from the start even when resuming and writes only from the checkpoint on.
  const listed = kind === 'reconcile' ? new ListedIds() : undefined;
  const listFrom = listed ? 0 : resumeOffset;
  let usersRead = 0;
  const summary = (counts: SyncCounts): SyncSummary => ({
    kind,
    dryRun,
    counts,
    usersRead,
    resumedFromOffset: resumed ? resumeOffset : null,
    elapsedMs: Date.now() - startedAt,
  });

  try {
    let complete = false;
    for await (const page of listUserPages(api, { startOffset: listFrom, pageSize, retry, signal })) {
      const end = page.offset + page.users.length;
      usersRead += page.users.length;
      listed?.addFrom(page.users);
      if (end > resumeOffset) await writer.write(page.users);
      if (writer.settled && end > resumeOffset) await save(end, addCounts(baseCounts, writer.counts));
      progress.update(end - listFrom, Math.max(page.totalCount, end) - listFrom);
      complete = page.last;
      if (signal?.aborted) break;
    }
    if (!complete) return { status: 'interrupted', summary: summary(checkpoint.counts) };
    await writer.flush();
    const tombstones = listed ? await tombstoneUsersMissingFromClerk(database, api, listed, writer, { dryRun, retry, signal }) : {};
    const counts = addCounts(addCounts(baseCounts, writer.counts), tombstones);
    await save(checkpoint.nextOffset, counts, new Date());
    return { status: 'completed', summary: summary(counts) };
  } catch (error) {
    if (signal?.aborted) return { status: 'interrupted', summary: summary(checkpoint.counts) };
    if (error instanceof ClerkRequestFailed) {
      return { status: 'clerk_failed', failure: error.failure.kind, message: error.message, summary: summary(checkpoint.counts) };
    }
    throw error;
  } finally {
    progress.finish();
  }
}
