import { ClerkRequestFailed, type ClerkFailure } from '../clerk/api-errors.js';
import type { ClerkUsersApi } from '../clerk/backend-api.js';
import { unlessDatabaseDown } from '../db/errors.js';
import type { Store } from '../engine/store.js';
import type { ClerkUserJson } from '../users/clerk-user.js';
import type { UserFields } from '../users/repository.js';
import { freshCheckpoint, saveCheckpoint, unfinishedRun, type SyncCheckpoint, type SyncKind } from './checkpoint.js';
import { listUserPages, MAX_PAGE_SIZE } from './clerk-pages.js';
import { DEFAULT_ORGANIZATION_CONCURRENCY, syncOrganizations } from './organizations-run.js';
import { ListedIds, tombstoneUsersMissingFromClerk } from './reconcile.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry.js';
import { addCounts, ZERO_COUNTS, type SyncCounts, type SyncSummary } from './summary.js';
import { UserBatchWriter } from './user-batch-writer.js';

/** Told how far a run is; the sync CLI draws it (cli/sync/progress.ts). */
export type ProgressReporter = {
  /** `done` of `total` users, then organizations (each counted once its memberships are written). */
  update(done: number, total: number, unit: 'users' | 'organizations'): void;
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
  /** Organizations whose memberships are read and written side by side (default 8). */
  organizationConcurrency?: number;
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
 * order guard, then every organization and its memberships through theirs;
 * reconcile also tombstones the users and organizations Clerk no longer has
 * and ends the memberships it no longer lists.
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

async function syncWith(store: Store, target: SyncTarget, options: SyncOptions, startedAt: number): Promise<SyncOutcome> {
  const { kind, dryRun = false, signal } = options;
  const pageSize = Math.min(options.pageSize ?? MAX_PAGE_SIZE, MAX_PAGE_SIZE);
  const retry = options.retry ?? DEFAULT_RETRY_POLICY;
  const progress = options.progress ?? SILENT_PROGRESS;

  const resumed = dryRun || options.restart ? null : await unfinishedRun(store, kind);
  const resumedInOrganizations = resumed?.phase === 'organizations' ? (resumed.organizations ?? null) : undefined;
  // Resume one page before the checkpoint: users deleted in Clerk since then shift later users to lower
  // offsets, and up to a page of them would otherwise be skipped. Re-reading a page costs little: its
  // writes are idempotent and come out "unchanged". (A larger shift is caught by the next run.)
  const resumeOffset = resumed ? Math.max(0, resumed.nextOffset - pageSize) : 0;
  let checkpoint: SyncCheckpoint = resumed ? { ...resumed, nextOffset: resumeOffset } : freshCheckpoint(kind);
  const persist = async (next: Partial<SyncCheckpoint>) => {
    checkpoint = { ...checkpoint, ...next };
    if (!dryRun) await saveCheckpoint(store, checkpoint);
  };
  await persist({});

  const read = { users: 0, organizations: 0, memberships: 0 };
  let organizationsStartedAt: number | undefined;
  const summary = (): SyncSummary => ({
    kind,
    dryRun,
    counts: checkpoint.counts,
    organizations: checkpoint.organizations?.organizationCounts ?? ZERO_COUNTS,
    memberships: checkpoint.organizations?.membershipCounts ?? ZERO_COUNTS,
    usersRead: read.users,
    organizationsRead: read.organizations,
    membershipsRead: read.memberships,
    resumedFromOffset: resumed && resumedInOrganizations === undefined ? resumeOffset : null,
    resumedOrganizationsFromOffset: resumedInOrganizations ? resumedInOrganizations.offset : null,
    elapsedMs: Date.now() - startedAt,
    organizationsElapsedMs: organizationsStartedAt === undefined ? 0 : Date.now() - organizationsStartedAt,
  });

  try {
    // Users first, so that memberships link to synced users rather than to stubs.
    if (resumedInOrganizations === undefined) {
      const lookupBatchSize = options.lookupBatchSize ?? DEFAULT_LOOKUP_BATCH;
      const phase = { kind, dryRun, pageSize, retry, signal, progress, resumeOffset, baseCounts: checkpoint.counts, lookupBatchSize };
      const users = await syncUsers(store, target, phase, read, persist);
      if (!users) return { status: 'interrupted', summary: summary() };
      await persist({ phase: 'organizations', organizations: null });
    }
    organizationsStartedAt = Date.now();
    const organizations = await syncOrganizations({
      store,
      api: target.api,
      kind,
      dryRun,
      pageSize,
      concurrency: Math.max(1, options.organizationConcurrency ?? DEFAULT_ORGANIZATION_CONCURRENCY),
      retry,
      signal,
      resumed: resumedInOrganizations ?? null,
      save: (organizationsCheckpoint) => persist({ organizations: organizationsCheckpoint }),
      progress: (done, total) => progress.update(done, total, 'organizations'),
    });
    read.organizations = organizations.organizationsRead;
    read.memberships = organizations.membershipsRead;
    if (!organizations.complete) return { status: 'interrupted', summary: summary() };
    const last = checkpoint.organizations;
    await persist({
      completedAt: new Date(),
      organizations: {
        offset: last?.offset ?? 0,
        clerkOrgId: last?.clerkOrgId ?? '',
        clerkCreatedAt: last?.clerkCreatedAt ?? 0,
        membershipOffset: null,
        organizationCounts: organizations.organizationCounts,
        membershipCounts: organizations.membershipCounts,
      },
    });
    return { status: 'completed', summary: summary() };
  } catch (error) {
    if (signal?.aborted) return { status: 'interrupted', summary: summary() };
    if (error instanceof ClerkRequestFailed) {
      return { status: 'clerk_failed', failure: error.failure.kind, message: error.message, summary: summary() };
    }
    throw error;
  } finally {
    progress.finish();
  }
}

type UsersPhase = {
  kind: SyncKind;
  dryRun: boolean;
  pageSize: number;
  retry: RetryPolicy;
  signal: AbortSignal | undefined;
  progress: ProgressReporter;
  resumeOffset: number;
  /** The counts of the run so far (an interrupted run's, when resumed). */
  baseCounts: SyncCounts;
  lookupBatchSize: number;
};

/**
 * Every Clerk user into `users` (UserBatchWriter); reconcile then tombstones
 * the users Clerk no longer has. The checkpoint moves with the writes.
 * `false` when stopped before the end.
 */
async function syncUsers(
  store: Store,
  { api, userFieldsOf }: SyncTarget,
  { kind, dryRun, pageSize, retry, signal, progress, resumeOffset, baseCounts, lookupBatchSize }: UsersPhase,
  read: { users: number },
  persist: (next: Partial<SyncCheckpoint>) => Promise<void>,
): Promise<boolean> {
  const writer = new UserBatchWriter(store, { dryRun, lookupBatchSize, userFieldsOf });
  // Reconcile needs every id Clerk lists, so it lists from the start even when resuming and writes only from the checkpoint on.
  const listed = kind === 'reconcile' ? new ListedIds() : undefined;
  const listFrom = listed ? 0 : resumeOffset;
  let complete = false;
  let nextOffset = resumeOffset;
  for await (const page of listUserPages(api, { startOffset: listFrom, pageSize, retry, signal })) {
    const end = page.offset + page.items.length;
    read.users += page.items.length;
    listed?.addFrom(page.items);
    if (end > resumeOffset) await writer.write(page.items);
    if (writer.settled && end > resumeOffset) {
      nextOffset = end;
      await persist({ nextOffset, counts: addCounts(baseCounts, writer.counts) });
    }
    progress.update(end - listFrom, Math.max(page.totalCount, end) - listFrom, 'users');
    complete = page.last;
    if (signal?.aborted) break;
  }
  if (!complete) return false;
  await writer.flush();
  const tombstones = listed ? await tombstoneUsersMissingFromClerk(store, api, listed, writer, { dryRun, retry, signal }) : {};
  await persist({ nextOffset, counts: addCounts(addCounts(baseCounts, writer.counts), tombstones) });
  return true;
}
