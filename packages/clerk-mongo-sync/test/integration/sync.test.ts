/**
 * Backfill and reconcile (`clerkSync.backfill()`, `.reconcile()`, and the
 * CLI's `sync`) on the real database, reading the local double of Clerk's
 * Backend API through the engine's own client. Small pages keep paging,
 * checkpoints and faults cheap to exercise; one test reads 5,000 users in
 * Clerk's real page size.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_COLLECTIONS as COLLECTIONS } from '../../src/db/indexes.js';
import type { RetryPolicy } from '../../src/sync/retry.js';
import type { SyncOptions, SyncOutcome } from '../../src/sync/run.js';
import { clerkUser } from '../../src/testing/payloads.js';
import { clerkUserJsonSchema, profileFromClerkUser } from '../../src/users/clerk-user.js';
import { tombstoneUser as tombstone, upsertUserProfile as upsert } from '../../src/users/repository.js';
import type { UserProfile } from '../../src/users/schema.js';
import { generatedUser, generatedUserId, startClerkApiDouble, type ClerkApiDouble } from '../../../../tools/clerk/api-double';
import { database as db, engine, store } from '../support/engine.js';

const SECRET_KEY = 'sk_test_syncDouble0000000000000000000000';
/** Retries as in production, with waits cut to milliseconds (Retry-After is still honoured). */
const FAST_RETRY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 5_000 };

let clerk: ClerkApiDouble | undefined;

async function clerkWith(users: number): Promise<ClerkApiDouble> {
  clerk = await startClerkApiDouble({ secretKey: SECRET_KEY, generatedUsers: users });
  return clerk;
}

function sync(double: ClerkApiDouble, { kind, ...options }: Partial<SyncOptions> & Pick<SyncOptions, 'kind'>): Promise<SyncOutcome> {
  const clerkSync = engine({ clerk: { secretKey: SECRET_KEY, apiUrl: double.url } });
  return clerkSync[kind]({ pageSize: 50, lookupBatchSize: 120, retry: FAST_RETRY, ...options });
}

async function users() {
  return (await store()).users;
}

/** A write the webhooks would make (the order-guarded upsert), before or during a run. */
async function upsertUserProfile(profile: UserProfile, version: number) {
  return upsert(await store(), { profile, app: {} }, version);
}

async function tombstoneUser(clerkId: string, version: number, deletedAt: Date) {
  return tombstone(await store(), clerkId, version, deletedAt);
}

async function storedCount(): Promise<number> {
  return (await users()).countDocuments({});
}

function profileOf(index: number) {
  const json = clerkUserJsonSchema.parse(generatedUser(index));
  return { profile: profileFromClerkUser(json), version: json.updated_at };
}

function completed(outcome: SyncOutcome) {
  if (outcome.status !== 'completed') throw new Error(`expected a completed run, got ${JSON.stringify(outcome)}`);
  return outcome.summary;
}

const listRequests = (double: ClerkApiDouble) => double.requests.filter((request) => request.route === 'list');

beforeEach(async () => {
  await (await users()).deleteMany({});
  await db().collection(COLLECTIONS.syncRuns).deleteMany({});
});

afterEach(async () => {
  await clerk?.close();
  clerk = undefined;
});

describe('backfill', () => {
  it('creates every one of 5,000 Clerk users with Clerk’s profile and version', async () => {
    const double = await clerkWith(5_000);
    const summary = completed(await sync(double, { kind: 'backfill', pageSize: 500, lookupBatchSize: 5_000 }));

    expect(summary.counts).toEqual({ created: 5_000, updated: 0, unchanged: 0, stale: 0, tombstoned: 0, failed: 0 });
    expect(await storedCount()).toBe(5_000);
    for (const index of [0, 1_234, 4_999]) {
      const { profile, version } = profileOf(index);
      expect(await (await users()).findOne({ clerkId: profile.clerkId }, { projection: { _id: 0, createdAt: 0, updatedAt: 0 } })).toEqual({
        ...profile,
        version,
        deletedAt: null,
        isOnline: false,
        lastSeen: null,
        onlineUntil: null,
      });
    }
    // A full last page cannot tell it is the last: one more (empty) page ends the listing, as with Clerk.
    expect(listRequests(double).map((request) => request.offset)).toEqual([
      0, 500, 1_000, 1_500, 2_000, 2_500, 3_000, 3_500, 4_000, 4_500, 5_000,
    ]);
  });

  it('run twice, the second run changes nothing: every user unchanged, no document rewritten', async () => {
    const double = await clerkWith(260);
    completed(await sync(double, { kind: 'backfill' }));
    const before = await (await users()).find({}).sort({ clerkId: 1 }).toArray();

    const second = completed(await sync(double, { kind: 'backfill' }));
    expect(second.counts).toEqual({ created: 0, updated: 0, unchanged: 260, stale: 0, tombstoned: 0, failed: 0 });
    expect(await (await users()).find({}).sort({ clerkId: 1 }).toArray()).toEqual(before);
  });

  it('updates a user stored older, leaves one stored newer and a tombstone alone, like a webhook would', async () => {
    const double = await clerkWith(100);
    const older = profileOf(10);
    await upsertUserProfile({ ...older.profile, firstName: 'Before' }, older.version - 1);
    const newer = profileOf(20);
    await upsertUserProfile({ ...newer.profile, firstName: 'Webhook was first' }, newer.version + 1);
    await tombstoneUser(generatedUserId(30), Date.now(), new Date());

    const summary = completed(await sync(double, { kind: 'backfill' }));
    expect(summary.counts).toEqual({ created: 97, updated: 1, unchanged: 0, stale: 2, tombstoned: 0, failed: 0 });
    const stored = (id: string) => users().then((collection) => collection.findOne({ clerkId: id }));
    expect(await stored(generatedUserId(10))).toMatchObject({ firstName: 'First10', version: older.version });
    expect(await stored(generatedUserId(20))).toMatchObject({ firstName: 'Webhook was first', version: newer.version + 1 });
    expect(await stored(generatedUserId(30))).toMatchObject({ deletedAt: expect.any(Date), firstName: null });
    expect(await storedCount()).toBe(100);
  });

  it('counts a user whose Clerk JSON the app cannot read as failed and writes the others', async () => {
    const double = await clerkWith(20);
    double.users.put({ ...clerkUser(), updated_at: -1 } as unknown as ReturnType<typeof clerkUser>);
    const summary = completed(await sync(double, { kind: 'backfill' }));
    expect(summary.counts).toMatchObject({ created: 20, failed: 1 });
  });

  it('interrupted half-way, resumes from its checkpoint (one page back) and ends with every user, counted once as created', async () => {
    const double = await clerkWith(400);
    double.failListFrom(200, 400);
    const first = await sync(double, { kind: 'backfill' });
    expect(first).toMatchObject({ status: 'clerk_failed', message: expect.stringMatching(/refused the request \(HTTP 400\)/) });
    expect(await storedCount()).toBe(200);

    double.failListFrom(undefined);
    double.requests.length = 0;
    const second = completed(await sync(double, { kind: 'backfill' }));
    expect(second.resumedFromOffset).toBe(150);
    expect(listRequests(double)[0]?.offset).toBe(150);
    expect(second.counts).toMatchObject({ created: 400, unchanged: 50, updated: 0, failed: 0 });
    expect(await storedCount()).toBe(400);

    // Completed: the next run starts from the first user again.
    double.requests.length = 0;
    expect(completed(await sync(double, { kind: 'backfill' })).resumedFromOffset).toBeNull();
    expect(listRequests(double)[0]?.offset).toBe(0);
  });

  it('stopped with Ctrl-C (abort), stops between pages; --restart ignores the checkpoint', async () => {
    const double = await clerkWith(300);
    const controller = new AbortController();
    let pages = 0;
    const progress = { update: () => (++pages === 2 ? controller.abort() : undefined), finish: () => {} };
    const first = await sync(double, { kind: 'backfill', progress, signal: controller.signal });
    expect(first.status).toBe('interrupted');
    expect(await storedCount()).toBe(100);

    double.requests.length = 0;
    const restarted = completed(await sync(double, { kind: 'backfill', restart: true }));
    expect(restarted.resumedFromOffset).toBeNull();
    expect(listRequests(double)[0]?.offset).toBe(0);
    expect(restarted.counts).toMatchObject({ created: 200, unchanged: 100 });
  });

  it('waits out a 429 for its Retry-After and retries 5xx answers, then completes', async () => {
    const double = await clerkWith(120);
    double.failNext('list', { kind: 'rate_limit', retryAfterSeconds: 1 });
    double.failNext('list', { kind: 'server_error', status: 503 }, 2);
    double.failNext('count', { kind: 'server_error', status: 502 });

    const started = Date.now();
    const summary = completed(await sync(double, { kind: 'backfill' }));
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    expect(summary.counts.created).toBe(120);
    const statuses = listRequests(double).map((request) => request.status);
    expect(statuses.filter((status) => status === 429)).toHaveLength(1);
    expect(statuses.filter((status) => status === 503)).toHaveLength(2);
    expect(statuses.filter((status) => status === 200)).toHaveLength(3);
  });

  it('gives up after the attempts allowed, keeping the checkpoint, with a message saying so', async () => {
    const double = await clerkWith(120);
    double.failListFrom(50, 503);
    const outcome = await sync(double, { kind: 'backfill' });
    expect(outcome).toMatchObject({
      status: 'clerk_failed',
      message: expect.stringMatching(/did not answer usably after 4 attempts \(last: HTTP 503\)/),
    });
    expect(listRequests(double).filter((request) => request.offset === 50)).toHaveLength(FAST_RETRY.maxAttempts);
    const checkpoint = await db()
      .collection(COLLECTIONS.syncRuns)
      .findOne({ _id: 'backfill' as never });
    expect(checkpoint).toMatchObject({ nextOffset: 50, completedAt: null });
  });

  it('with --dry-run reads everything, reports the same counts, and writes nothing (no checkpoint either)', async () => {
    const double = await clerkWith(150);
    const older = profileOf(3);
    await upsertUserProfile(older.profile, older.version - 1);
    await upsertUserProfile(profileOf(4).profile, profileOf(4).version);
    const before = await (await users()).find({}).toArray();

    const summary = completed(await sync(double, { kind: 'backfill', dryRun: true }));
    expect(summary.counts).toEqual({ created: 148, updated: 1, unchanged: 1, stale: 0, tombstoned: 0, failed: 0 });
    expect(await (await users()).find({}).toArray()).toEqual(before);
    expect(await db().collection(COLLECTIONS.syncRuns).countDocuments({})).toBe(0);
  });
});

describe('reconcile', () => {
  it('tombstones stored users Clerk no longer has, after confirming each is gone, and leaves the rest', async () => {
    const double = await clerkWith(130);
    completed(await sync(double, { kind: 'backfill' }));
    const onlyHere = clerkUser();
    await upsertUserProfile(profileFromClerkUser(clerkUserJsonSchema.parse(onlyHere)), onlyHere.updated_at);
    double.users.delete(generatedUserId(7));

    const before = Date.now();
    const summary = completed(await sync(double, { kind: 'reconcile' }));
    expect(summary.counts).toMatchObject({ tombstoned: 2, created: 0, unchanged: 129 });
    for (const id of [onlyHere.id, generatedUserId(7)]) {
      const stored = await (await users()).findOne({ clerkId: id });
      expect(stored).toMatchObject({ deletedAt: expect.any(Date), email: null, firstName: null });
      expect(stored!.version).toBeGreaterThanOrEqual(before);
    }
    expect(await (await users()).countDocuments({ deletedAt: null })).toBe(129);
    const confirmations = double.requests.filter((request) => request.route === 'user');
    expect(confirmations.map((request) => request.status)).toEqual([404, 404]);
  });

  it('tombstones nothing when the listing fails half-way', async () => {
    const double = await clerkWith(130);
    completed(await sync(double, { kind: 'backfill' }));
    for (let index = 0; index < 130; index += 2) double.users.delete(generatedUserId(index));
    double.failListFrom(50, 503);

    const outcome = await sync(double, { kind: 'reconcile' });
    expect(outcome.status).toBe('clerk_failed');
    expect(await (await users()).countDocuments({ deletedAt: { $ne: null } })).toBe(0);
    expect(double.requests.filter((request) => request.route === 'user')).toHaveLength(0);
  });

  it('writes, rather than tombstones, an unlisted stored user Clerk still has (skipped by offset paging, or newer than the listing)', async () => {
    const double = await clerkWith(60);
    const late = clerkUser();
    await upsertUserProfile(profileFromClerkUser(clerkUserJsonSchema.parse(late)), late.updated_at - 1);
    // Present when asked by id, absent from the listing: what a page shifted by a concurrent delete looks like.
    double.users.put(late);
    double.users.hideFromListing(late.id);

    const summary = completed(await sync(double, { kind: 'reconcile' }));
    expect(summary.counts).toMatchObject({ tombstoned: 0, created: 60, updated: 1 });
    expect(await (await users()).findOne({ clerkId: late.id })).toMatchObject({ deletedAt: null, version: late.updated_at });
  });

  it('with --dry-run counts the tombstones it would write and writes none', async () => {
    const double = await clerkWith(60);
    completed(await sync(double, { kind: 'backfill' }));
    double.users.delete(generatedUserId(1));
    const before = await (await users()).find({}).toArray();
    await db().collection(COLLECTIONS.syncRuns).deleteMany({});

    const summary = completed(await sync(double, { kind: 'reconcile', dryRun: true }));
    expect(summary.counts).toMatchObject({ tombstoned: 1, unchanged: 59 });
    expect(await (await users()).find({}).toArray()).toEqual(before);
    expect(await db().collection(COLLECTIONS.syncRuns).countDocuments({})).toBe(0);
  });
});
