/**
 * Backfill and reconcile of organizations and memberships (the phase after
 * users) on the real database, reading the local double of Clerk's Backend
 * API through the engine's own client: paging, resuming, rate limits, the
 * webhooks' order guards and tombstones, and what reconcile ends. Six
 * organizations of five members each (generated users 0–29), listed two at a
 * time, so every listing spans several pages.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_COLLECTIONS as COLLECTIONS } from '../../src/db/indexes.js';
import { clerkMembershipJsonSchema, clerkOrganizationJsonSchema } from '../../src/organizations/clerk-organization.js';
import { applyMembership } from '../../src/organizations/memberships.js';
import { tombstoneOrganization, upsertOrganization } from '../../src/organizations/repository.js';
import type { RetryPolicy } from '../../src/sync/retry.js';
import type { SyncOptions, SyncOutcome } from '../../src/sync/run.js';
import { clerkUser, membershipPayload, organizationPayload } from '../../src/testing/payloads.js';
import {
  generatedMembership,
  generatedOrganization,
  generatedOrganizationId,
  generatedUserId,
  startClerkApiDouble,
  type ClerkApiDouble,
} from '../../../../tools/clerk/api-double';
import { database as db, engine, store } from '../support/engine.js';

const SECRET_KEY = 'sk_test_syncOrgDouble00000000000000000000';
const FAST_RETRY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 5_000 };
const ORGANIZATIONS = 6;
const MEMBERS = 5;
const ZERO = { created: 0, updated: 0, unchanged: 0, stale: 0, tombstoned: 0, failed: 0 };

let clerk: ClerkApiDouble | undefined;

async function clerkWithOrganizations(): Promise<ClerkApiDouble> {
  clerk = await startClerkApiDouble({
    secretKey: SECRET_KEY,
    generatedUsers: ORGANIZATIONS * MEMBERS,
    generatedOrganizations: ORGANIZATIONS,
    membersPerOrganization: MEMBERS,
  });
  return clerk;
}

function sync(double: ClerkApiDouble, { kind, ...options }: Partial<SyncOptions> & Pick<SyncOptions, 'kind'>): Promise<SyncOutcome> {
  return engine({ clerk: { secretKey: SECRET_KEY, apiUrl: double.url } })[kind]({ pageSize: 2, retry: FAST_RETRY, ...options });
}

function completed(outcome: SyncOutcome) {
  if (outcome.status !== 'completed') throw new Error(`expected a completed run, got ${JSON.stringify(outcome)}`);
  return outcome.summary;
}

const organization = (index: number) => clerkOrganizationJsonSchema.parse(generatedOrganization(index, MEMBERS));
const membership = (index: number, position: number) => clerkMembershipJsonSchema.parse(generatedMembership(index, position, MEMBERS));
const memberId = (index: number, position: number) => generatedUserId(index * MEMBERS + position);
const requestsTo = (double: ClerkApiDouble, route: string) => double.requests.filter((request) => request.route === route);

async function collections() {
  const { organizations, memberships, users } = await store();
  return { organizations, memberships, users };
}

beforeEach(async () => {
  const { organizations, memberships, users } = await collections();
  await Promise.all([organizations.deleteMany({}), memberships.deleteMany({}), users.deleteMany({})]);
  await db().collection(COLLECTIONS.syncRuns).deleteMany({});
});

afterEach(async () => {
  await clerk?.close();
  clerk = undefined;
});

describe('backfill of organizations and memberships', () => {
  it('brings every organization and membership, page by page, linked to the synced users’ documents', async () => {
    const double = await clerkWithOrganizations();
    const summary = completed(await sync(double, { kind: 'backfill' }));

    expect(summary.counts).toMatchObject({ created: 30 });
    expect(summary.organizations).toEqual({ ...ZERO, created: 6 });
    expect(summary.memberships).toEqual({ ...ZERO, created: 30 });
    expect([summary.organizationsRead, summary.membershipsRead]).toEqual([6, 30]);
    // Two per page; a full last page cannot tell it is the last, so one more (empty) page ends each listing.
    expect(requestsTo(double, 'organizations').map((request) => request.offset)).toEqual([0, 2, 4, 6]);
    expect(
      requestsTo(double, 'memberships')
        .filter((request) => request.id === generatedOrganizationId(3))
        .map((r) => r.offset),
    ).toEqual([0, 2, 4]);

    const { organizations, memberships, users } = await collections();
    expect(await organizations.findOne({ clerkOrgId: generatedOrganizationId(4) })).toMatchObject({
      name: 'Organization 4',
      slug: 'organization-4',
      membersCount: MEMBERS,
      version: organization(4).updated_at,
      deletedAt: null,
    });
    const org4 = await organizations.findOne({ clerkOrgId: generatedOrganizationId(4) });
    const user = await users.findOne({ clerkId: memberId(4, 0) });
    expect(user).toMatchObject({ firstName: 'First20' });
    expect(await memberships.findOne({ clerkOrgId: generatedOrganizationId(4), clerkUserId: memberId(4, 0) })).toMatchObject({
      organizationId: org4!._id,
      userId: user!._id,
      clerkMembershipId: membership(4, 0).id,
      role: 'org:admin',
      version: membership(4, 0).updated_at,
      deletedAt: null,
    });
    expect(await memberships.countDocuments({ deletedAt: null })).toBe(30);
  });

  it('run twice, the second run changes nothing', async () => {
    const double = await clerkWithOrganizations();
    completed(await sync(double, { kind: 'backfill' }));
    const { organizations, memberships } = await collections();
    const before = [await organizations.find({}).sort({ clerkOrgId: 1 }).toArray(), await memberships.find({}).sort({ _id: 1 }).toArray()];

    const second = completed(await sync(double, { kind: 'backfill' }));
    expect(second.organizations).toEqual({ ...ZERO, unchanged: 6 });
    expect(second.memberships).toEqual({ ...ZERO, unchanged: 30 });
    expect([await organizations.find({}).sort({ clerkOrgId: 1 }).toArray(), await memberships.find({}).sort({ _id: 1 }).toArray()]).toEqual(
      before,
    );
  });

  it('a member Clerk does not list as a user gets a version-0 stub to link to, as a membership webhook makes', async () => {
    const double = await clerkWithOrganizations();
    const stranger = clerkUser();
    double.organizations.putMembership(membershipPayload({ organization: generatedOrganization(1, MEMBERS), user: stranger }));

    completed(await sync(double, { kind: 'backfill' }));
    const { memberships, users } = await collections();
    const stub = await users.findOne({ clerkId: stranger.id });
    expect(stub).toMatchObject({ version: 0, email: null, deletedAt: null });
    expect(await memberships.findOne({ clerkOrgId: generatedOrganizationId(1), clerkUserId: stranger.id })).toMatchObject({
      userId: stub!._id,
    });
  });

  it('never overwrites a newer webhook write, never revives a tombstone or an ended membership', async () => {
    const double = await clerkWithOrganizations();
    const s = await store();
    // Webhooks got there first: a newer organization, a newer role, a deleted organization, a membership that ended.
    await upsertOrganization(s, { ...organization(1), name: 'Renamed by webhook', updated_at: organization(1).updated_at + 1 });
    await applyMembership(s, { ...membership(0, 1), role: 'org:admin', updated_at: membership(0, 1).updated_at + 1 });
    const deletedAt = Date.now();
    await tombstoneOrganization(s, generatedOrganizationId(2), deletedAt);
    await applyMembership(s, membership(3, 4), membership(3, 4).updated_at + 5_000);

    const summary = completed(await sync(double, { kind: 'backfill' }));
    // Organizations 0 and 3 were created by the membership webhooks (from their embedded copy): the same version, unchanged.
    expect(summary.organizations).toEqual({ ...ZERO, created: 2, unchanged: 2, stale: 2 });
    // The deleted organization's are written and ended at once, as a late membership webhook would be.
    expect(summary.memberships).toMatchObject({ created: 28, stale: 2 });

    const { organizations, memberships } = await collections();
    expect(await organizations.findOne({ clerkOrgId: generatedOrganizationId(1) })).toMatchObject({ name: 'Renamed by webhook' });
    expect(await organizations.findOne({ clerkOrgId: generatedOrganizationId(2) })).toMatchObject({
      name: null,
      deletedAt: new Date(deletedAt),
    });
    expect(await memberships.findOne({ clerkOrgId: generatedOrganizationId(0), clerkUserId: memberId(0, 1) })).toMatchObject({
      role: 'org:admin',
    });
    expect(await memberships.findOne({ clerkOrgId: generatedOrganizationId(3), clerkUserId: memberId(3, 4) })).toMatchObject({
      deletedAt: new Date(membership(3, 4).updated_at + 5_000),
    });
    // The deleted organization's memberships end with it, as its cascade ends them.
    expect(await memberships.countDocuments({ clerkOrgId: generatedOrganizationId(2), deletedAt: null })).toBe(0);
    expect(await memberships.countDocuments({ deletedAt: null })).toBe(30 - MEMBERS - 1);
  });

  it('stopped among organizations, resumes at the first organization not done; the users are not listed again', async () => {
    const double = await clerkWithOrganizations();
    const controller = new AbortController();
    const progress = {
      update: (done: number, _total: number, unit: string) => (unit === 'organizations' && done === 3 ? controller.abort() : undefined),
      finish: () => {},
    };
    // One organization at a time, so that where it stops is known.
    const first = await sync(double, { kind: 'backfill', progress, signal: controller.signal, organizationConcurrency: 1 });
    expect(first.status).toBe('interrupted');
    const checkpoint = await db()
      .collection(COLLECTIONS.syncRuns)
      .findOne({ _id: 'backfill' as never });
    // Stopped once organization 2 was done (progress counts an organization when its memberships are written).
    expect(checkpoint).toMatchObject({
      phase: 'organizations',
      completedAt: null,
      organizations: { clerkOrgId: generatedOrganizationId(3), membershipOffset: 0 },
    });
    const { memberships } = await collections();
    expect(await memberships.countDocuments({})).toBe(15);

    double.requests.length = 0;
    const second = completed(await sync(double, { kind: 'backfill', organizationConcurrency: 1 }));
    expect(requestsTo(double, 'list')).toHaveLength(0);
    expect(second.resumedOrganizationsFromOffset).toBe(3);
    // One page of organizations back; the memberships of those done before the checkpoint are not read again.
    expect(requestsTo(double, 'organizations').map((request) => request.offset)).toEqual([1, 3, 5]);
    const membershipRequests = requestsTo(double, 'memberships');
    expect(membershipRequests.some((request) => request.id === generatedOrganizationId(2))).toBe(false);
    expect(membershipRequests.filter((request) => request.id === generatedOrganizationId(3)).map((request) => request.offset)).toEqual([
      0, 2, 4,
    ]);
    expect(second.organizations).toMatchObject({ created: 6, unchanged: 3 });
    expect(second.memberships).toMatchObject({ created: 30, unchanged: 0 });
    expect(await memberships.countDocuments({ deletedAt: null })).toBe(30);
  });

  it('crashed on a Clerk failure within an organization’s memberships, keeps the checkpoint; the next run resumes there', async () => {
    const double = await clerkWithOrganizations();
    // Organization 0's three pages and organization 1's first two answer; every attempt at its third fails.
    double.failNext('memberships', { kind: 'slow', delayMs: 0 }, 5);
    double.failNext('memberships', { kind: 'server_error', status: 503 }, FAST_RETRY.maxAttempts);
    const first = await sync(double, { kind: 'backfill', organizationConcurrency: 1 });
    expect(first).toMatchObject({ status: 'clerk_failed', message: expect.stringMatching(/after 4 attempts \(last: HTTP 503\)/) });
    const checkpoint = await db()
      .collection(COLLECTIONS.syncRuns)
      .findOne({ _id: 'backfill' as never });
    expect(checkpoint).toMatchObject({
      phase: 'organizations',
      organizations: { clerkOrgId: generatedOrganizationId(1), membershipOffset: 4 },
    });

    double.requests.length = 0;
    const second = completed(await sync(double, { kind: 'backfill', organizationConcurrency: 1 }));
    expect(second.resumedOrganizationsFromOffset).toBe(1);
    const membershipRequests = requestsTo(double, 'memberships');
    expect(membershipRequests.some((request) => request.id === generatedOrganizationId(0))).toBe(false);
    expect(membershipRequests.filter((request) => request.id === generatedOrganizationId(1)).map((request) => request.offset)).toEqual([
      2, 4,
    ]);
    expect(second.memberships).toMatchObject({ created: 30, unchanged: 2 });
    expect(await (await collections()).memberships.countDocuments({ deletedAt: null })).toBe(30);
  });

  it('waits out a 429 for its Retry-After on the organization and membership listings, then completes', async () => {
    const double = await clerkWithOrganizations();
    double.failNext('organizations', { kind: 'rate_limit', retryAfterSeconds: 1 });
    double.failNext('memberships', { kind: 'rate_limit', retryAfterSeconds: 1 });

    const started = Date.now();
    const summary = completed(await sync(double, { kind: 'backfill' }));
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    expect([summary.organizations.created, summary.memberships.created]).toEqual([6, 30]);
    expect(requestsTo(double, 'organizations').filter((request) => request.status === 429)).toHaveLength(1);
    expect(requestsTo(double, 'memberships').filter((request) => request.status === 429)).toHaveLength(1);
  });

  it('with --dry-run counts organizations and memberships and writes nothing', async () => {
    const double = await clerkWithOrganizations();
    const summary = completed(await sync(double, { kind: 'backfill', dryRun: true }));
    expect(summary.organizations).toEqual({ ...ZERO, created: 6 });
    expect(summary.memberships).toEqual({ ...ZERO, created: 30 });
    const { organizations, memberships, users } = await collections();
    expect([await organizations.countDocuments({}), await memberships.countDocuments({}), await users.countDocuments({})]).toEqual([
      0, 0, 0,
    ]);
    expect(await db().collection(COLLECTIONS.syncRuns).countDocuments({})).toBe(0);
  });
});

describe('reconcile of organizations and memberships', () => {
  async function backfilledThenChangedInClerk() {
    const double = await clerkWithOrganizations();
    completed(await sync(double, { kind: 'backfill' }));
    const onlyHere = organizationPayload();
    await upsertOrganization(await store(), clerkOrganizationJsonSchema.parse(onlyHere));
    double.organizations.delete(generatedOrganizationId(1));
    double.organizations.removeMembership(generatedOrganizationId(0), memberId(0, 3));
    double.requests.length = 0;
    return { double, onlyHere };
  }

  it('tombstones organizations Clerk no longer has and ends their memberships, ends memberships it no longer lists, each confirmed first', async () => {
    const { double, onlyHere } = await backfilledThenChangedInClerk();
    const before = Date.now();
    const summary = completed(await sync(double, { kind: 'reconcile' }));
    expect(summary.organizations).toMatchObject({ tombstoned: 2, unchanged: 5 });
    expect(summary.memberships).toMatchObject({ tombstoned: MEMBERS + 1, unchanged: 24 });

    const { organizations, memberships } = await collections();
    for (const clerkOrgId of [generatedOrganizationId(1), onlyHere.id]) {
      const stored = await organizations.findOne({ clerkOrgId });
      expect(stored).toMatchObject({ deletedAt: expect.any(Date), name: null, slug: null });
      expect(stored!.version).toBeGreaterThanOrEqual(before);
    }
    expect(await memberships.countDocuments({ clerkOrgId: generatedOrganizationId(1), deletedAt: null })).toBe(0);
    const left = await memberships.findOne({ clerkOrgId: generatedOrganizationId(0), clerkUserId: memberId(0, 3) });
    expect(left).toMatchObject({ deletedAt: expect.any(Date), publicMetadata: {} });
    expect(left!.version).toBeGreaterThanOrEqual(before);
    expect(await memberships.countDocuments({ deletedAt: null })).toBe(24);
    // Each confirmed by a 404 (organization) or an empty answer for the pair (membership) before anything ended.
    expect(requestsTo(double, 'organization').map((request) => request.status)).toEqual([404, 404]);
    expect(requestsTo(double, 'memberships').filter((request) => request.userId === memberId(0, 3))).toHaveLength(1);
  });

  it('writes, rather than ends, an organization and a membership Clerk still has but did not list (skipped by offset paging, or newer than the listing)', async () => {
    const double = await clerkWithOrganizations();
    completed(await sync(double, { kind: 'backfill' }));
    // Changed at Clerk since, and absent from the listings only: what a page shifted by a concurrent delete looks like.
    const before = generatedOrganization(2, MEMBERS);
    const renamed = { ...before, name: 'Renamed Ltd', updated_at: before.updated_at + 1_000 };
    double.organizations.put(renamed);
    double.organizations.hideFromListing(renamed.id);
    const member = generatedMembership(0, 2, MEMBERS);
    double.organizations.putMembership({ ...member, role: 'org:admin', role_name: 'Admin', updated_at: member.updated_at + 1_000 });
    double.organizations.hideMembershipFromListing(generatedOrganizationId(0), memberId(0, 2));
    double.requests.length = 0;

    const summary = completed(await sync(double, { kind: 'reconcile' }));
    expect(summary.organizations).toMatchObject({ tombstoned: 0, updated: 1 });
    expect(summary.memberships).toMatchObject({ tombstoned: 0, updated: 1 });
    const { organizations, memberships } = await collections();
    expect(await organizations.findOne({ clerkOrgId: renamed.id })).toMatchObject({
      deletedAt: null,
      name: 'Renamed Ltd',
      version: renamed.updated_at,
    });
    expect(await memberships.findOne({ clerkOrgId: generatedOrganizationId(0), clerkUserId: memberId(0, 2) })).toMatchObject({
      deletedAt: null,
      role: 'org:admin',
    });
    // Each asked for by id once, because its listing left it out.
    expect(requestsTo(double, 'organization').map((request) => request.status)).toEqual([200]);
    expect(requestsTo(double, 'memberships').filter((request) => request.userId === memberId(0, 2))).toHaveLength(1);
  });

  it('with --dry-run counts what it would end and writes nothing', async () => {
    const { double } = await backfilledThenChangedInClerk();
    await db().collection(COLLECTIONS.syncRuns).deleteMany({});
    const { organizations, memberships } = await collections();
    const before = [await organizations.find({}).toArray(), await memberships.find({}).toArray()];

    const summary = completed(await sync(double, { kind: 'reconcile', dryRun: true }));
    expect(summary.organizations).toMatchObject({ tombstoned: 2 });
    expect(summary.memberships).toMatchObject({ tombstoned: MEMBERS + 1 });
    expect([await organizations.find({}).toArray(), await memberships.find({}).toArray()]).toEqual(before);
    expect(await db().collection(COLLECTIONS.syncRuns).countDocuments({})).toBe(0);
  });
});
