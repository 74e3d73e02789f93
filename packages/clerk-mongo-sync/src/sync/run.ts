import { ClerkRequestFailed, type ClerkFailure } from '../clerk/api-errors.js';
import type { ClerkUsersApi } from '../clerk/backend-api.js';
import { unlessDatabaseDown } from '../db/errors.js';
import type { Store } from '../engine/store.js';
import type { ClerkUserJson } from '../users/clerk-user.js';
import type { UserFields } from '../users/repository.js';
import { freshCheckpoint, saveCheckpoint, unfinishedRun, type SyncCheckpoint, type SyncKind } from './checkpoint.js';
import { listUserPages, MAX_PAGE_SIZE } from './clerk-pages.js';
import { ListedIds, tombstoneUsersMissingFromClerk } from './reconcile.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry.js';
import { addCounts, ZERO_COUNTS, type SyncCounts, type SyncSummary } from './summary.js';
import { UserBatchWriter } from './user-batch-writer.js';

/** Told how far a run is; the sync CLI draws it (cli/sync/progress.ts). */
export type ProgressReporter = {
  update(done: number, total: number): void;
  finish(): void;
};

const SILENT_PROGRESS: ProgressReporter = { update() {}, finish() {} };

/** What a run needs from the engine: its store, Clerk's API, and what a Clerk user becomes. */
export type SyncTarget = {
  store: () => Promise<Store>;
  api: ClerkUsersApi;
  userFieldsOf: (user: ClerkUserJson) => UserFields;
};

export type SyncOptions = {
  kind: SyncKind;
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
 * Backfill or reconcile: every Clerk user into `users` through the webhooks'
 * order guard; reconcile then tombstones the users Clerk no longer has.
 * Failures of Clerk or the database are outcomes; anything else (a bug) is
 * thrown.
 */
export async function runSync(target: SyncTarget, options: SyncOptions): Promise<SyncOutcome> {
  const startedAt = Date.now();
  return unlessDatabaseDown(
    async () => syncWith(await target.store(), target, options, startedAt),
    (error): SyncOutcome => ({ status: 'database_unavailable', message: error instanceof Error ? error.message : String(error) }),
  );
}

async function syncWith(store: Store, { api, userFieldsOf }: SyncTarget, options: SyncOptions, startedAt: number): Promise<SyncOutcome> {
  const { kind, dryRun = false, signal } = options;
  const pageSize = Math.min(options.pageSize ?? MAX_PAGE_SIZE, MAX_PAGE_SIZE);
  const retry = options.retry ?? DEFAULT_RETRY_POLICY;
  const progress = options.progress ?? SILENT_PROGRESS;

  const resumed = dryRun || options.restart ? null : await unfinishedRun(store, kind);
  // Resume one page before the checkpoint: users deleted in Clerk since then shift later users to lower
  // offsets, and up to a page of them would otherwise be skipped. Re-reading a page costs little: its
  // writes are idempotent and come out "unchanged". (A larger shift is caught by the next run.)
  const resumeOffset = resumed ? Math.max(0, resumed.nextOffset - pageSize) : 0;
  const baseCounts = resumed?.counts ?? ZERO_COUNTS;
  let checkpoint: SyncCheckpoint = resumed ? { ...resumed, nextOffset: resumeOffset } : freshCheckpoint(kind);
  const save = async (nextOffset: number, counts: SyncCounts, completedAt: Date | null = null) => {
    checkpoint = { ...checkpoint, nextOffset, counts, completedAt };
    if (!dryRun) await saveCheckpoint(store, checkpoint);
  };
  await save(resumeOffset, baseCounts);

  const writer = new UserBatchWriter(store, { dryRun, lookupBatchSize: options.lookupBatchSize ?? DEFAULT_LOOKUP_BATCH, userFieldsOf });
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
    const tombstones = listed ? await tombstoneUsersMissingFromClerk(store, api, listed, writer, { dryRun, retry, signal }) : {};
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
