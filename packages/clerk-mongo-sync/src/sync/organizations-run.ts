import { ClerkRequestFailed } from '../clerk/api-errors.js';
import type { ClerkUsersApi } from '../clerk/backend-api.js';
import type { Store } from '../engine/store.js';
import { isClerkOrgId, type ClerkOrganizationJson } from '../organizations/clerk-organization.js';
import { endMemberships } from '../organizations/memberships.js';
import { tombstoneOrganization } from '../organizations/repository.js';
import type { OrganizationsCheckpoint, SyncKind } from './checkpoint-record.js';
import { listMembershipPages, listOrganizationPages } from './clerk-pages.js';
import { OrganizationBatchWriter } from './organization-batch-writer.js';
import { ListedIds } from './reconcile.js';
import { withClerkRetry, type RetryPolicy } from './retry.js';
import { ZERO_COUNTS, type SyncCounts } from './summary.js';

export type OrganizationsRunContext = {
  store: Store;
  api: ClerkUsersApi;
  kind: SyncKind;
  dryRun: boolean;
  pageSize: number;
  /** Organizations whose memberships are synced side by side. */
  concurrency: number;
  retry: RetryPolicy;
  signal?: AbortSignal | undefined;
  /** Where an interrupted run's organizations phase stood (null: from the first organization). */
  resumed: OrganizationsCheckpoint | null;
  save: (checkpoint: OrganizationsCheckpoint) => Promise<void>;
  progress: (done: number, total: number) => void;
};

export type OrganizationsResult = {
  complete: boolean;
  organizationCounts: SyncCounts;
  membershipCounts: SyncCounts;
  organizationsRead: number;
  membershipsRead: number;
};

/** Where an organization's memberships start, given the checkpoint; `undefined`: all of them were written before. */
function membershipStart(organization: ClerkOrganizationJson, context: OrganizationsRunContext): number | undefined {
  const { resumed, kind, pageSize } = context;
  if (!resumed || organization.created_at > resumed.clerkCreatedAt) return 0;
  if (organization.id !== resumed.clerkOrgId) {
    // Created before the checkpoint's organization: done. Created at the same millisecond: redone (idempotent).
    return organization.created_at < resumed.clerkCreatedAt ? undefined : 0;
  }
  if (resumed.membershipOffset === null) return undefined;
  // Reconcile must see an organization's whole membership list in one pass; backfill resumes one page back (as users).
  return kind === 'reconcile' ? 0 : Math.max(0, resumed.membershipOffset - pageSize);
}

/**
 * The organizations phase of backfill and reconcile, run after every user is
 * written (so memberships link to synced users): every organization Clerk
 * lists, then each one's memberships, written through the webhooks' guards
 * (OrganizationBatchWriter), several organizations at a time. The
 * checkpoint is saved as the writes progress (syncMembershipsOfPage). Reconcile also ends what Clerk no longer has (see
 * `endUnlistedMemberships` and `tombstoneUnlistedOrganizations`).
 */
export async function syncOrganizations(context: OrganizationsRunContext): Promise<OrganizationsResult> {
  const { store, api, kind, dryRun, pageSize, retry, signal, resumed } = context;
  const writer = new OrganizationBatchWriter(store, dryRun);
  writer.organizationCounts = resumed?.organizationCounts ?? ZERO_COUNTS;
  writer.membershipCounts = resumed?.membershipCounts ?? ZERO_COUNTS;
  const listed = kind === 'reconcile' ? new ListedIds() : undefined;
  // As for users: one page back from the checkpoint (organizations deleted since shift later ones down);
  // reconcile lists from the first to know every organization Clerk has, and writes from the checkpoint on.
  const resumeOffset = resumed ? Math.max(0, resumed.offset - pageSize) : 0;
  const listFrom = listed ? 0 : resumeOffset;
  const result = (complete: boolean): OrganizationsResult => ({
    complete,
    organizationCounts: writer.organizationCounts,
    membershipCounts: writer.membershipCounts,
    organizationsRead,
    membershipsRead,
  });
  let organizationsRead = 0;
  let membershipsRead = 0;

  let done = 0;
  for await (const page of listOrganizationPages(api, { startOffset: listFrom, pageSize, retry, signal })) {
    organizationsRead += page.items.length;
    listed?.addFrom(page.items);
    const end = page.offset + page.items.length;
    const total = Math.max(page.totalCount, end) - listFrom;
    if (end > resumeOffset) {
      const organizations = await writer.writeOrganizations(page.items);
      const synced = await syncMembershipsOfPage(context, writer, page.offset, page.items, organizations, () =>
        context.progress(++done, total),
      );
      membershipsRead += synced.read;
      if (!synced.complete) return result(false);
    }
    done = end - listFrom;
    context.progress(done, total);
    if (signal?.aborted) return result(false);
    if (page.last) break;
  }
  if (listed) await tombstoneUnlistedOrganizations(context, writer, listed);
  return result(true);
}

/** Organizations whose memberships are read and written side by side (Clerk's latency and the database's overlap). */
export const DEFAULT_ORGANIZATION_CONCURRENCY = 8;
/** The checkpoint is saved at most this often while a page of organizations is worked on (and always at its end). */
const SAVE_INTERVAL_MS = 1_000;

type InFlight = { organization: ClerkOrganizationJson; offset: number; membershipOffset: number; done: boolean };

/**
 * The memberships of one page of organizations, `concurrency` organizations
 * at a time. The checkpoint names the first organization (in listing order)
 * not done and how far into its memberships it is: everything before it is
 * written, so a resume redoes at most the organizations that were in flight
 * (idempotently). A failure stops the other organizations, saves that
 * checkpoint and is rethrown.
 */
async function syncMembershipsOfPage(
  context: OrganizationsRunContext,
  writer: OrganizationBatchWriter,
  pageOffset: number,
  rawPage: unknown[],
  organizations: ClerkOrganizationJson[],
  onDone: () => void,
): Promise<{ read: number; complete: boolean }> {
  const positionOf = (id: string) =>
    pageOffset + rawPage.findIndex((raw) => typeof raw === 'object' && raw !== null && 'id' in raw && raw.id === id);
  const flights: InFlight[] = organizations.map((organization) => {
    const start = membershipStart(organization, context);
    return { organization, offset: positionOf(organization.id), membershipOffset: start ?? 0, done: start === undefined };
  });
  let savedAt = Date.now();
  const save = async (force: boolean) => {
    if (!force && Date.now() - savedAt < SAVE_INTERVAL_MS) return;
    savedAt = Date.now();
    const first = flights.find((flight) => !flight.done);
    const at = first ?? flights.at(-1);
    if (!at) return;
    await context.save({
      offset: at.offset,
      clerkOrgId: at.organization.id,
      clerkCreatedAt: at.organization.created_at,
      membershipOffset: first ? first.membershipOffset : null,
      organizationCounts: writer.organizationCounts,
      membershipCounts: writer.membershipCounts,
    });
  };
  let next = 0;
  let read = 0;
  let stopped = false;
  const worker = async () => {
    try {
      while (next < flights.length && !stopped) {
        const flight = flights[next++]!;
        if (flight.done) continue;
        if (context.signal?.aborted) return void (stopped = true);
        const count = await syncMembershipsOf(
          context,
          writer,
          flight.organization.id,
          flight.membershipOffset,
          async (membershipOffset) => {
            if (membershipOffset === null) flight.done = true;
            else flight.membershipOffset = membershipOffset;
            await save(false);
          },
        );
        if (count === undefined) return void (stopped = true);
        read += count;
        onDone();
      }
    } catch (error) {
      // The others finish the organization they are on and take no next one.
      stopped = true;
      throw error;
    }
  };
  const workers = await Promise.allSettled(Array.from({ length: context.concurrency }, worker));
  const failed = workers.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
  if (failed) {
    stopped = true;
    // Where the writes are, so the next run resumes there; the failure itself is what the run reports.
    await save(true).catch(() => undefined);
    throw failed.reason;
  }
  await save(true);
  return { read, complete: !stopped };
}

/**
 * One organization's memberships from `start` on; `save` after each page
 * (the offset written so far), then `null` once all are. Reconcile ends the
 * unlisted ones after the whole list was read. Returns how many were read,
 * or `undefined` when stopped (abort) before the end.
 */
async function syncMembershipsOf(
  context: OrganizationsRunContext,
  writer: OrganizationBatchWriter,
  clerkOrgId: string,
  start: number,
  save: (membershipOffset: number | null) => Promise<void>,
): Promise<number | undefined> {
  const { api, pageSize, retry, signal, kind } = context;
  const listed = kind === 'reconcile' && start === 0 ? new Set<string>() : undefined;
  let read = 0;
  try {
    for await (const page of listMembershipPages(api, clerkOrgId, { startOffset: start, pageSize, retry, signal })) {
      read += page.items.length;
      for (const raw of page.items) listed?.add(memberUserIdOf(raw) ?? '');
      await writer.writeMemberships(clerkOrgId, page.items);
      if (!page.last) await save(page.offset + page.items.length);
      if (signal?.aborted && !page.last) return undefined;
    }
  } catch (error) {
    if (!(error instanceof ClerkRequestFailed && error.failure.kind === 'not_found')) throw error;
    // Deleted in Clerk since it was listed: its memberships end with its tombstone (webhook, or the next reconcile).
    await save(null);
    return read;
  }
  if (listed) await endUnlistedMemberships(context, writer, clerkOrgId, listed);
  await save(null);
  return read;
}

function memberUserIdOf(raw: unknown): string | undefined {
  const data = typeof raw === 'object' && raw !== null && 'public_user_data' in raw ? raw.public_user_data : undefined;
  const id = typeof data === 'object' && data !== null && 'user_id' in data ? data.user_id : undefined;
  return typeof id === 'string' ? id : undefined;
}

/** Clerk's JSON from `request`, or undefined when Clerk answers 404. */
async function unlessNotFound(request: () => Promise<unknown>, { retry, signal }: OrganizationsRunContext): Promise<unknown> {
  try {
    return await withClerkRetry(request, retry, signal);
  } catch (error) {
    if (error instanceof ClerkRequestFailed && error.failure.kind === 'not_found') return undefined;
    throw error;
  }
}

/**
 * Reconcile, for an organization whose whole membership list was just read
 * in one pass (from the first page to the last, without a failure): every
 * active membership stored for it whose user that list did not name. The
 * list alone is not proof: offset paging skips a member when another leaves
 * during the pass, and a member who joined after the pass is not in it. So
 * each is asked for once more (`GET …/memberships?user_id=`), and only
 * Clerk's "no membership" ends it; a membership Clerk still has is written
 * like a listed one. The end is ordered like `organizationMembership.deleted`:
 * `version` and `deletedAt` are the time of that answer, and only an older
 * stored version is ended — a rejoin after it (a newer `updated_at`) still
 * wins, a late `created` for the old membership does not revive it.
 */
async function endUnlistedMemberships(
  context: OrganizationsRunContext,
  writer: OrganizationBatchWriter,
  clerkOrgId: string,
  listed: Set<string>,
): Promise<void> {
  const { store, api, dryRun } = context;
  const stored = await store.memberships.find({ clerkOrgId, deletedAt: null }, { projection: { _id: 1, clerkUserId: 1 } }).toArray();
  for (const membership of stored.filter((candidate) => !listed.has(candidate.clerkUserId))) {
    context.signal?.throwIfAborted();
    const inClerk = await unlessNotFound(() => api.getMembership(clerkOrgId, membership.clerkUserId), context);
    if (inClerk !== undefined) {
      await writer.writeMemberships(clerkOrgId, [inClerk]);
      continue;
    }
    if (dryRun) {
      writer.countMemberships({ tombstoned: 1 });
      continue;
    }
    const endedAt = new Date();
    const result = await store.memberships.updateOne(
      { _id: membership._id, clerkOrgId, deletedAt: null, version: { $lt: endedAt.getTime() } },
      { $set: { deletedAt: endedAt, version: endedAt.getTime(), publicMetadata: {}, updatedAt: endedAt } },
    );
    writer.countMemberships(result.modifiedCount > 0 ? { tombstoned: 1 } : { stale: 1 });
  }
}

/**
 * Reconcile, after the complete organization listing: every live
 * organization stored here that Clerk did not list is asked for by id, and
 * only a 404 makes it a tombstone (as users: offset paging can skip one, and
 * a tombstone is final). Its memberships end with it, after the tombstone, as
 * `organization.deleted` cascades. `deletedAt` and `version` are the time of
 * that 404.
 */
async function tombstoneUnlistedOrganizations(
  context: OrganizationsRunContext,
  writer: OrganizationBatchWriter,
  listed: ListedIds,
): Promise<void> {
  const { store, api, dryRun } = context;
  const candidates = [];
  for await (const organization of store.organizations.find({ deletedAt: null }, { projection: { clerkOrgId: 1 } })) {
    // An id that is no Clerk organization id never reaches a Backend API URL; such a document is left alone.
    if (!listed.has(organization.clerkOrgId) && isClerkOrgId(organization.clerkOrgId)) candidates.push(organization.clerkOrgId);
  }
  for (const clerkOrgId of candidates) {
    context.signal?.throwIfAborted();
    const inClerk = await unlessNotFound(() => api.getOrganization(clerkOrgId), context);
    if (inClerk !== undefined) {
      await writer.writeOrganizations([inClerk]);
      continue;
    }
    if (dryRun) {
      writer.countOrganizations({ tombstoned: 1 });
      writer.countMemberships({ tombstoned: await store.memberships.countDocuments({ clerkOrgId, deletedAt: null }) });
      continue;
    }
    const deletedAt = Date.now();
    const outcome = await tombstoneOrganization(store, clerkOrgId, deletedAt);
    writer.countOrganizations(outcome === 'applied' ? { tombstoned: 1 } : { stale: 1 });
    // Also when a racing webhook tombstoned it first: the cascade is idempotent and keeps the earliest end.
    const stored = await store.organizations.findOne({ clerkOrgId }, { projection: { deletedAt: 1 } });
    writer.countMemberships({ tombstoned: await endMemberships(store, { clerkOrgId }, stored?.deletedAt ?? new Date(deletedAt)) });
  }
}
