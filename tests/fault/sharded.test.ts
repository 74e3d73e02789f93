/**
 * The sync on a sharded cluster of real mongod and mongos processes
 * (tools/harness/sharded-cluster.ts): two shards that are replica sets (the
 * first with an electable secondary, for its step-down), a config server
 * replica set, one mongos, and two app instances (`next start`) given the
 * mongos's address as MONGODB_URI, nothing else:
 *
 * - every collection is sharded on the key docs/operations.md documents, by
 *   the same set-up that makes its indexes: the engine's (clerk-mongo-sync)
 *   for its collections, the app's for its assessments;
 * - every per-user read and write of the webhook, just-in-time sync,
 *   presence and backfill paths reaches one shard, as the shards' own
 *   profilers record it; the lists that read every user reach all shards;
 * - the guarantees: shuffled histories with redeliveries and session events
 *   converge to the in-order state, one ledger entry per svix-id, tombstones
 *   final, the cascade done; concurrent first deliveries of one user across
 *   both instances leave one document with the newest version;
 * - chunks of users migrate (`moveChunk`) while deliveries flow, until the
 *   migrations have carried writes made during them: nothing lost,
 *   duplicated or resurrected, and no copy left behind on either shard;
 * - a shard's primary steps down mid-stream, no election until 100 attempts
 *   have met it: the fault run's checks (tests/support/fault-phase.ts).
 *
 * Needs mongod and mongos (../shared/mongodb has both; mongodb-memory-server
 * ships no mongos). Where there are none, the file is skipped with the reason
 * printed; with REQUIRE_REPLICA_SET=1 (CI) it fails instead.
 * Seeded: rerun a failure with FAULT_SEED=<seed>.
 */
import { createClerkSync, DEFAULT_COLLECTIONS, shardCollections } from 'clerk-mongo-sync';
import {
  clerkId,
  clerkUser,
  membershipCreatedEvent,
  membershipPayload,
  membershipUpdatedEvent,
  newWebhookSecret,
  organizationCreatedEvent,
  organizationDeletedEvent,
  organizationPayload,
  sessionEvent,
  userCreatedEvent,
  userDeletedEvent,
  userUpdatedEvent,
} from 'clerk-mongo-sync/testing';
import { ObjectId, type Db, type Document } from 'mongodb';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { NewAssessmentRecord } from '../../lib/assessments/repository';
import { ASSESSMENTS_COLLECTION } from '../../lib/assessments/schema';
import { startClerkApiDoubleForApp, type ClerkApiDouble } from '../../tools/clerk/api-double';
import { checkAgainstInOrder, describeCheck } from '../../tools/harness/expected-state';
import { shardPrimaryStepDown } from '../../tools/harness/faults';
import { generateHistories, generateOrganizationHistories, type UserHistory } from '../../tools/harness/histories';
import { seededRandom } from '../../tools/harness/random';
import { compressedSvixSchedule, planDeliveries, sendDeliveries, type Attempt, type Delivery } from '../../tools/harness/sender';
import { clearCollections, startHarnessServer, type ShardedHarnessServer } from '../../tools/harness/server';
import {
  findMongosBinary,
  hashedBound,
  hashedKeyOf,
  operationsOnShards,
  shardHolding,
  type ShardOperation,
} from '../../tools/harness/sharded-cluster';
import { runFaultPhase } from '../support/fault-phase';
import { checkConcurrentFirstDeliveries } from '../support/first-deliveries';
import { electedAt, membersAgree } from '../support/replica-members';

const mongos = findMongosBinary();
if (mongos.kind === 'unavailable') {
  if (process.env.REQUIRE_REPLICA_SET === '1')
    throw new Error(`REQUIRE_REPLICA_SET=1, but no sharded cluster can be started: ${mongos.reason}`);
  console.warn(`[sharded] skipped: no sharded cluster can be started here (${mongos.reason})`);
}

const SEED = Number(process.env.FAULT_SEED ?? 20_261_204);

/** The shard keys docs/operations.md documents; sync_runs is left unsharded. */
const DOCUMENTED_SHARD_KEYS: Record<string, Document> = {
  users: { clerkId: 'hashed' },
  webhook_deliveries: { _id: 'hashed' },
  sessions: { clerkId: 'hashed' },
  assessments: { clerkUserId: 'hashed', _id: 1 },
  organizations: { clerkOrgId: 'hashed' },
  memberships: { clerkOrgId: 'hashed' },
};

/** The engine's collections and the app's own. */
const COLLECTIONS = { ...DEFAULT_COLLECTIONS, assessments: ASSESSMENTS_COLLECTION };

/** The database the in-process paths test works in (the app instances use the harness's own). */
const PATHS_DB = 'paths';
const STATE = [
  COLLECTIONS.users,
  COLLECTIONS.deliveries,
  COLLECTIONS.sessions,
  COLLECTIONS.assessments,
  COLLECTIONS.organizations,
  COLLECTIONS.memberships,
];
const webhookUrls = (server: ShardedHarnessServer) => server.apps.map(({ origin }) => `${origin}/api/webhooks/clerk`);

let server: ShardedHarnessServer | undefined;
let clerk: ClerkApiDouble | undefined;

/** The app's modules, imported once the environment points them at the cluster (the Clerk SDK reads it on load). */
const app = {} as {
  client: typeof import('@/lib/db/client');
  webhook: typeof import('../support/webhook');
  /** The app's engine: users, just-in-time sync, presence, backfill and reconcile. */
  sync: (typeof import('@/lib/clerk-sync'))['clerkSync'];
  loadUser: (typeof import('@/lib/clerk-sync'))['loadUser'];
  loadOrganization: (typeof import('@/lib/clerk-sync'))['loadOrganization'];
  people: typeof import('@/lib/presence/people');
  assessments: typeof import('@/lib/assessments/repository');
  admin: typeof import('@/lib/admin/overview');
};

/** A result of one question, as the app stores it. */
function recordOf(userId: ObjectId, clerkUserId: string, slug = 'sharding'): NewAssessmentRecord {
  const answers = [{ questionId: 'q1', choiceId: 'a', correctChoiceId: 'a' }];
  return { userId, clerkUserId, slug, title: slug, answers, score: 1, maxScore: 1, createdAt: new Date() };
}

/**
 * What every delivery run must leave: no status but 200 and 503, the users as in-order delivery leaves them
 * (0 lost, 0 duplicated, 0 resurrected), and one 2xx ledger entry per svix-id.
 */
async function expectInOrderState(db: Db, histories: UserHistory[], sent: readonly Delivery[], attempts: readonly Attempt[]) {
  expect(
    [...new Set(attempts.map(({ status }) => status))].filter((status) => status !== 200 && status !== 503),
    'statuses but 200 and 503',
  ).toEqual([]);
  const state = await checkAgainstInOrder(db, histories);
  expect
    .soft({ lost: state.counts.lost, duplicated: state.counts.duplicated, resurrected: state.counts.resurrected })
    .toEqual({ lost: 0, duplicated: 0, resurrected: 0 });
  expect(state.mismatches.slice(0, 5), `the in-order state (${describeCheck(state)})`).toEqual([]);
  const ledger = await db
    .collection(COLLECTIONS.deliveries)
    .find({}, { projection: { status: 1 } })
    .toArray();
  const svixIds = new Set(sent.map(({ svixId }) => svixId));
  expect(
    { entries: ledger.length, acknowledged: ledger.filter(({ status }) => status < 300).length },
    'one 2xx ledger entry per svix-id',
  ).toEqual({ entries: svixIds.size, acknowledged: svixIds.size });
}

/** Which shards each collection's operations reached: `{ users: ['shard-b'], … }`. */
function shardsByCollection(operations: readonly ShardOperation[]): Record<string, string[]> {
  const reached: Record<string, Set<string>> = {};
  for (const { collection, shard } of operations) (reached[collection] ??= new Set()).add(shard);
  return Object.fromEntries(Object.entries(reached).map(([collection, shards]) => [collection, [...shards].sort()]));
}

describe('two app instances on a sharded cluster (two shards, a config server replica set, one mongos)', () => {
  // Skipped with the reason, which `npm test` lists at its end.
  beforeEach((context) => {
    if (mongos.kind === 'unavailable') context.skip(`no sharded cluster can be started here: ${mongos.reason}`);
  });

  beforeAll(async () => {
    if (mongos.kind === 'unavailable') return;
    server = await startHarnessServer({
      benchRoutes: false,
      name: 'sharded',
      instances: 2,
      sharded: { shardMembers: [2, 1] },
      log: (line) => console.log(`  [sharded] ${line}`),
    });
    // Each instance sets up its database (indexes, shard keys) on first use: the engine's collections at the first
    // delivery, the assessments at the first deletion (its hook). Two set-ups, one after the other.
    const rng = seededRandom(SEED);
    for (const url of webhookUrls(server)) {
      const created = generateHistories(rng, { users: 1, events: 1, deleteChance: 0 });
      const [delivery] = planDeliveries(rng, created, { order: 'in-order' });
      const userId = created[0]!.userId;
      const deletion = { svixId: clerkId('msg'), body: JSON.stringify(userDeletedEvent(userId)), userId, type: 'user.deleted' };
      const report = await sendDeliveries([delivery!, deletion], { url, secret: server.secret, concurrency: 1 });
      if (report.delivered !== 2) throw new Error(`${url} did not set up: ${JSON.stringify(report.statuses)}`);
    }
    clerk = await startClerkApiDoubleForApp('sk_test_shardedDouble0000000000000000000');
    Object.assign(process.env, { MONGODB_URI: server.cluster.uri, MONGODB_DB: PATHS_DB, CLERK_WEBHOOK_SECRET: newWebhookSecret() });
    const { clerkSync, loadUser, loadOrganization } = await import('@/lib/clerk-sync');
    Object.assign(app, {
      client: await import('@/lib/db/client'),
      webhook: await import('../support/webhook'),
      sync: clerkSync,
      loadUser,
      loadOrganization,
      people: await import('@/lib/presence/people'),
      assessments: await import('@/lib/assessments/repository'),
      admin: await import('@/lib/admin/overview'),
    });
  }, 600_000);

  afterAll(async () => {
    await app.client?.mongoClient().close();
    await clerk?.close();
    await server?.stop();
  });

  beforeEach(async () => {
    if (server) await clearCollections(server.db, STATE);
  });

  test("each instance's start shards every collection on its documented key, split over both shards; sync_runs stays whole; an operator's earlier key stays", async () => {
    const { db, cluster } = server!;
    const config = db.client.db('config');
    const sharded = await config
      .collection<{ _id: string; key: Document }>('collections')
      .find({ _id: { $regex: `^${db.databaseName}\\.` }, dropped: false })
      .toArray();
    const keys = Object.fromEntries(sharded.map(({ _id, key }) => [_id.slice(db.databaseName.length + 1), key]));
    expect(keys, 'shard keys (config.collections)').toEqual(DOCUMENTED_SHARD_KEYS);
    for (const collection of Object.keys(DOCUMENTED_SHARD_KEYS)) {
      const shards = await config.collection('chunks').distinct('shard', { ns: `${db.databaseName}.${collection}` });
      expect(shards.sort(), `${collection}'s chunks`).toEqual(cluster.shards.map(({ name }) => name));
    }
    const unique = async (collection: string) =>
      (await db.collection(collection).listIndexes().toArray()).filter((index) => index.unique).map((index) => index.key);
    expect(await unique(COLLECTIONS.users), 'unique indexes on users').toEqual([{ clerkId: 1 }]);
    expect(await unique(COLLECTIONS.sessions), 'unique indexes on sessions').toEqual([{ clerkId: 1, sessionId: 1 }]);

    // Collections an operator sharded before the app's first start keep their keys: one on fields of the documented
    // key silently (assessments, by owner alone), one on other fields with a warning in the log (the ledger, by user).
    const preset = db.client.db(`${db.databaseName}_preset`);
    await cluster.command({ enableSharding: preset.databaseName });
    await cluster.command({ shardCollection: `${preset.databaseName}.${COLLECTIONS.assessments}`, key: { clerkUserId: 'hashed' } });
    await cluster.command({ shardCollection: `${preset.databaseName}.${COLLECTIONS.deliveries}`, key: { clerkId: 1 } });
    // The same set-ups as the app's, on that database: the engine's, and the package's helper on the assessments' key.
    const logged: unknown[] = [];
    const log = (line: string, level: string) => void logged.push({ level, ...JSON.parse(line) });
    await createClerkSync({ database: preset, log }).users.collection(); // its first use: the set-up, once
    await shardCollections(preset, { [COLLECTIONS.assessments]: app.assessments.ASSESSMENTS_SHARD_KEY }, { log });
    expect(logged, 'the log of the set-ups').toEqual([
      {
        level: 'warn',
        event: 'shard_key_differs',
        namespace: `${preset.databaseName}.${COLLECTIONS.deliveries}`,
        expected: { _id: 'hashed' },
        found: { clerkId: 1 },
      },
    ]);
    const presetKeys = await config
      .collection<{ _id: string; key: Document }>('collections')
      .find({ _id: { $regex: `^${preset.databaseName}\\.` }, dropped: false })
      .toArray();
    expect(Object.fromEntries(presetKeys.map(({ _id, key }) => [_id.slice(preset.databaseName.length + 1), key]))).toEqual({
      ...DOCUMENTED_SHARD_KEYS,
      assessments: { clerkUserId: 'hashed' },
      webhook_deliveries: { clerkId: 1 },
    });
    const ledgerIndexes = (await preset.collection(COLLECTIONS.deliveries).listIndexes().toArray()).map(({ name }) => name);
    expect(ledgerIndexes, "the ledger's indexes: no index for a key the engine did not get").not.toContain('_id_hashed');
  });

  test('every per-user read and write reaches one shard (the shards’ profilers); the lists of all users reach every shard', async () => {
    const { cluster } = server!;
    const database = await app.client.db();
    // The set-ups (indexes, shard keys) before anything is profiled: the engine's, and the assessments' on first use.
    await app.sync.ensureIndexes();
    await app.assessments.listAssessmentsOf(clerkId('user'));
    const onShards = async (work: () => Promise<unknown>) => {
      let result: unknown;
      const operations = await operationsOnShards(cluster, PATHS_DB, async () => (result = await work()));
      return { result, operations, reached: shardsByCollection(operations) };
    };
    const perUser: Record<string, Record<string, string[]>> = {};
    /** Runs one per-user path and records which shards each collection's operations reached. */
    const path = async (name: string, work: () => Promise<unknown>, touches: string[]) => {
      const { result, reached } = await onShards(work);
      perUser[name] = reached;
      expect(Object.keys(reached), `${name}: the collections it reads or writes`).toEqual(expect.arrayContaining(touches));
      return result;
    };
    const { deliver } = app.webhook;
    const delivered = async (payload: unknown, svixId?: string) => {
      const answer = await deliver(payload, svixId ? { svixId } : {});
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      return answer.body.outcome;
    };
    const { users, deliveries, sessions, assessments, syncRuns, organizations, memberships } = COLLECTIONS;

    // The webhook: a user's life, with a redelivery, sessions and a deletion that cascades.
    const ada = clerkUser({ firstName: 'Ada' });
    const laptop = clerkId('sess');
    await path('webhook user.created', () => delivered(userCreatedEvent(ada)), [users, deliveries]);
    const updated = { ...ada, first_name: 'Ada L.', updated_at: ada.updated_at + 1_000 };
    const redelivered = `msg_${new ObjectId().toHexString()}`;
    await path('webhook user.updated', () => delivered(userUpdatedEvent(updated), redelivered), [users, deliveries]);
    await path('webhook redelivery (same svix-id)', () => delivered(userUpdatedEvent(updated), redelivered), [users, deliveries]);
    await path('webhook session.created', () => delivered(sessionEvent('session.created', { userId: ada.id, sessionId: laptop })), [
      users,
      deliveries,
      sessions,
    ]);
    // Presence: a heartbeat from a session the webhook has not told of yet (recorded from the token), then presence as of now.
    const later = new Date(Date.now() + 60_000);
    expect(
      await path('heartbeat', () => app.sync.presence.heartbeat({ clerkId: ada.id, sessionId: clerkId('sess') }, later), [users, sessions]),
    ).toBe('recorded');
    const stored = (await app.sync.users.find(ada.id))!;
    await path('presence of one user', () => app.sync.presence.of(stored, later), [sessions]);
    await path(
      'webhook session.ended',
      () => delivered(sessionEvent('session.ended', { userId: ada.id, sessionId: laptop, at: Date.now() + 1_000 })),
      [users, deliveries, sessions],
    );
    // Linked records: written and read by their owner.
    const id = (await path('assessment stored', () => app.assessments.insertAssessment(recordOf(stored._id, ada.id)), [
      assessments,
    ])) as ObjectId;
    await path('assessments listed', () => app.assessments.listAssessmentsOf(ada.id), [assessments]);
    await path('assessment opened', () => app.assessments.findOwnAssessment(ada.id, id.toHexString()), [assessments]);

    // Organizations: written and read by the organization's id, a membership by the (organization, user) pair.
    const acme = organizationPayload({ name: 'Acme' });
    await path('webhook organization.created', () => delivered(organizationCreatedEvent(acme)), [organizations, deliveries]);
    const adaInAcme = membershipPayload({ organization: acme, user: ada.id, role: 'org:admin' });
    await path('webhook organizationMembership.created', () => delivered(membershipCreatedEvent(adaInAcme)), [
      memberships,
      organizations,
      users,
      deliveries,
    ]);
    const demoted = { ...adaInAcme, role: 'org:member', updated_at: adaInAcme.updated_at + 1_000 };
    await path('webhook organizationMembership.updated', () => delivered(membershipUpdatedEvent(demoted)), [memberships, deliveries]);
    await path("an organization's members", () => app.sync.memberships.ofOrganization(acme.id), [memberships]);
    await path('one membership', () => app.sync.memberships.find(acme.id, ada.id), [memberships]);
    // Just in time: an organization and a membership no webhook has delivered, fetched from the double.
    const globex = organizationPayload({ name: 'Globex' });
    clerk!.organizations.putMembership(membershipPayload({ organization: globex, user: ada.id }));
    const team = await path('just-in-time organization', () => app.loadOrganization(globex.id, ada.id), [organizations, memberships]);
    expect(team).toMatchObject({ state: 'ready', organization: { clerkOrgId: globex.id } });
    clerk!.organizations.delete(globex.id);
    await path('webhook organization.deleted, its memberships end', () => delivered(organizationDeletedEvent(globex.id)), [
      organizations,
      memberships,
      deliveries,
    ]);

    process.env.DELETION_POLICY = 'delete';
    await path('webhook user.deleted, the cascade (delete)', () => delivered(userDeletedEvent(ada.id)), [
      users,
      deliveries,
      sessions,
      assessments,
      memberships,
    ]);
    // A deleted user's memberships end in whichever organizations they were: the one scatter-gather write of the
    // webhook, by design (memberships live with their organization), as rare as deletions. Checked below.
    const userDeletionMemberships = perUser['webhook user.deleted, the cascade (delete)']![memberships];
    delete perUser['webhook user.deleted, the cascade (delete)']![memberships];
    expect(await app.sync.memberships.ofUser(ada.id), "the deleted user's memberships").toEqual([]);

    // Just in time: a signed-in user no webhook has delivered, fetched from Clerk's Backend API (the double).
    const grace = clerkUser({ firstName: 'Grace' });
    clerk!.users.put(grace);
    const current = await path('just-in-time sync', () => app.loadUser(grace.id), [users]);
    expect(current).toMatchObject({ state: 'ready', user: { clerkId: grace.id } });

    // Backfill, of one user (Clerk lists Linus alone): a first run inserts, a second run with a newer version looks
    // up and updates. The engine reaches the double as the app reaches Clerk (CLERK_API_URL, CLERK_SECRET_KEY).
    clerk!.users.delete(grace.id);
    const backfill = () => app.sync.backfill({ restart: true });
    // On the other shard than Ada's, so that the paths' users live on both.
    const chunks = await server!.db.client
      .db('config')
      .collection('chunks')
      .find({ ns: `${PATHS_DB}.${users}` })
      .toArray();
    let linus = clerkUser({ firstName: 'Linus' });
    while (shardHolding(chunks, 'clerkId', linus.id) === shardHolding(chunks, 'clerkId', ada.id)) linus = clerkUser({ firstName: 'Linus' });
    clerk!.users.put(linus);
    await path('backfill, a new user', backfill, [users, syncRuns]);
    clerk!.users.put({ ...linus, first_name: 'Linus T.', updated_at: linus.updated_at + 1_000 });
    await path('backfill, a stored user updated', backfill, [users, syncRuns]);
    expect((await app.sync.users.find(linus.id))?.firstName).toBe('Linus T.');

    log(`per-user paths, the shards each collection's operations reached: ${JSON.stringify(perUser)}`);
    const spanningMore = Object.entries(perUser).flatMap(([name, reached]) =>
      Object.entries(reached)
        .filter(([, shards]) => shards.length > 1)
        .map(([collection, shards]) => `${name}: ${collection} on ${shards.join(' and ')}`),
    );
    expect(spanningMore, 'per-user paths whose operations on a collection reached more than one shard').toEqual([]);
    // Not one shard for all: the users these paths touched live on both.
    const usersShards = new Set(Object.values(perUser).flatMap((reached) => reached[users] ?? []));
    expect([...usersShards].sort(), "the shards the paths' users live on").toEqual(cluster.shards.map(({ name }) => name));

    // Anonymizing moves each record out of its owner's chunk to where anonymized records live: each update goes to the
    // owner's shard; another shard receives, if anything, the moved records themselves (inserts).
    const hedy = clerkUser({ firstName: 'Hedy' });
    await delivered(userCreatedEvent(hedy));
    const hedyDoc = (await app.sync.users.find(hedy.id))!;
    for (const slug of ['one', 'two', 'three']) await app.assessments.insertAssessment(recordOf(hedyDoc._id, hedy.id, slug));
    process.env.DELETION_POLICY = 'anonymize';
    const anonymized = await onShards(() => delivered(userDeletedEvent(hedy.id)));
    delete process.env.DELETION_POLICY;
    const onRecords = anonymized.operations.filter(({ collection }) => collection === assessments);
    const owners = shardsByCollection(onRecords.filter(({ op }) => op !== 'insert'))[assessments] ?? [];
    log(`anonymizing 3 records: ${JSON.stringify(onRecords.map(({ shard, op }) => `${op}@${shard}`))}`);
    expect(owners, "the anonymizing cascade's reads and updates").toHaveLength(1);
    expect(
      onRecords.filter(({ shard, op }) => shard !== owners[0] && op !== 'insert'),
      'operations on records elsewhere than their owner’s shard, other than the moved records arriving',
    ).toEqual([]);
    expect(await database.collection(assessments).countDocuments({ clerkUserId: null, slug: { $in: ['one', 'two', 'three'] } })).toBe(3);

    // Scatter-gather by design: pages that list every user or delivery, a deleted user's memberships, and
    // reconcile's pass over the stored users.
    const viewer = { clerkId: grace.id, sessionId: clerkId('sess') };
    const everyShard = cluster.shards.map(({ name }) => name);
    expect(userDeletionMemberships, "a deleted user's memberships end on").toEqual(everyShard);
    const people = await onShards(() => app.people.loadPeople(viewer));
    expect(people.reached[users], 'the People page reads users on').toEqual(everyShard);
    const admin = await onShards(() => app.admin.loadAdminOverview());
    expect(admin.reached, 'the admin page reads').toMatchObject({ [users]: everyShard, [deliveries]: everyShard });
    // Clerk lists Grace alone now: Linus was deleted there without a webhook reaching us.
    clerk!.users.put(grace);
    clerk!.users.delete(linus.id);
    const reconciled = await onShards(() => app.sync.reconcile({ restart: true }));
    const pass = reconciled.operations.filter(({ collection, op }) => collection === users && (op === 'query' || op === 'getmore'));
    const tombstoned = reconciled.operations.filter(({ collection, op }) => collection === users && op === 'update');
    expect(shardsByCollection(pass)[users], "reconcile's pass over the stored users").toEqual(everyShard);
    // Linus, stored and no longer listed by Clerk: his tombstone alone, to his shard alone.
    expect(
      tombstoned.map(({ command }) => command.q?.clerkId),
      "reconcile's tombstones",
    ).toEqual([linus.id]);
    expect((await app.sync.users.find(linus.id))?.deletedAt).toBeInstanceOf(Date);
  });

  test('shuffled histories with redeliveries and session events, through both instances: the in-order state, tombstones final, the cascade done', async () => {
    const { db, secret } = server!;
    const rng = seededRandom(SEED + 1);
    const histories = generateHistories(rng, { users: 150, events: [2, 5], deleteChance: 0.3 });
    // A session per user, shuffled in with the user's own events: before its user exists, or after the deletion.
    const sessionDeliveries: Delivery[] = histories.map(({ userId }) => ({
      svixId: `msg_2S${userId.slice('user_2'.length)}`,
      body: JSON.stringify(sessionEvent('session.created', { userId, sessionId: `sess_2${userId.slice('user_2'.length)}` })),
      type: 'session.created',
    }));
    const deliveries = rng.shuffle([...planDeliveries(rng, histories, { order: 'shuffled', duplicateRate: 0.15 }), ...sessionDeliveries]);
    // Every user has a record of their own before any event arrives.
    await db
      .collection(COLLECTIONS.assessments)
      .insertMany(histories.map(({ userId }) => ({ _id: new ObjectId(), ...recordOf(new ObjectId(), userId), anonymizedAt: null })));
    const attempts: Attempt[] = [];
    const report = await sendDeliveries(deliveries, {
      url: webhookUrls(server!),
      secret,
      concurrency: 30,
      retryDelaysMs: compressedSvixSchedule(1_000),
      onAttempt: (attempt) => attempts.push(attempt),
    });
    log(
      `${deliveries.length} deliveries (${report.deliveries - new Set(deliveries.map(({ svixId }) => svixId)).size} redelivered), ${report.attempts} attempts: ${JSON.stringify(report.statuses)} ${JSON.stringify(report.outcomes)}`,
    );
    expect({ delivered: report.delivered, gaveUp: report.failed }, 'every delivery acknowledged').toEqual({
      delivered: deliveries.length,
      gaveUp: 0,
    });
    await expectInOrderState(db, histories, deliveries, attempts);

    // The cascade: a deleted user keeps neither records nor sessions; the others keep both.
    const deleted = new Set(histories.filter(({ events }) => events.at(-1)!.type === 'user.deleted').map(({ userId }) => userId));
    const owners = async (collection: string, field: string) =>
      (
        await db
          .collection(collection)
          .find({}, { projection: { [field]: 1 } })
          .toArray()
      ).map((document) => String(document[field]));
    const withRecords = await owners(COLLECTIONS.assessments, 'clerkUserId');
    const withSessions = await owners(COLLECTIONS.sessions, 'clerkId');
    expect(deleted.size, 'deleted users in the histories').toBeGreaterThan(10);
    expect(
      withRecords.filter((owner) => deleted.has(owner)),
      'records of deleted users',
    ).toEqual([]);
    expect(
      withSessions.filter((owner) => deleted.has(owner)),
      'sessions of deleted users',
    ).toEqual([]);
    expect({ records: withRecords.length, sessions: withSessions.length }, 'records and sessions of the users not deleted').toEqual({
      records: histories.length - deleted.size,
      sessions: histories.length - deleted.size,
    });
  });

  test('first deliveries of one user, 20–50 versions at once across both instances: one document, the newest version', async () => {
    const { db, cluster, apps, secret } = server!;
    await checkConcurrentFirstDeliveries({
      apps,
      secret,
      db,
      writers: await Promise.all(cluster.shards.map((shard) => shard.primary())),
      seed: SEED + 2,
      minRounds: 5,
      maxRounds: 40,
      wanted: { sharedCommands: 5, crossCommandRefusals: 5 },
      log: (line) => console.log(`  [first deliveries] ${line}`),
    });
  });

  test("users' chunks migrate between the shards while deliveries flow: nothing lost, duplicated or resurrected, no copy left behind", async () => {
    const { db, cluster, secret } = server!;
    const rng = seededRandom(SEED + 3);
    const namespace = `${db.databaseName}.${COLLECTIONS.users}`;
    const chunks = db.client.db('config').collection('chunks');
    type Migration = { startedAt: number; endedAt: number; from: string; to: string; min: bigint | number; max: bigint | number };
    const migrations: Migration[] = [];
    const attempts: Attempt[] = [];
    const histories: UserHistory[] = [];
    const sent: Delivery[] = [];
    const keyOfUser = new Map<string, bigint>();
    const userOfDelivery = new Map<string, string>();
    /** Deliveries of users in the moving chunk, answered 200, in flight while it moved. */
    const writesDuring = (migration: Migration) =>
      attempts.filter(({ svixId, status, startedAt, endedAt }) => {
        const key = keyOfUser.get(userOfDelivery.get(svixId)!)!;
        return (
          status === 200 && startedAt < migration.endedAt && endedAt > migration.startedAt && migration.min <= key && key < migration.max
        );
      }).length;
    const overlapped = () => migrations.filter((migration) => writesDuring(migration) > 0).length;
    const WANTED = 4;
    const MAX_MIGRATIONS = 30;
    let moving = true;
    // Each chunk of users in turn to the other shard, until enough migrations met deliveries of their own chunk's users.
    const mover = (async () => {
      for (let next = 0; migrations.length < MAX_MIGRATIONS && overlapped() < WANTED; next++) {
        const all = await chunks.find({ ns: namespace }).sort({ min: 1 }).toArray();
        const chunk = all[next % all.length]!;
        const to = cluster.shards.find(({ name }) => name !== chunk.shard)!.name;
        const startedAt = performance.now();
        // The donor deletes its copy before moveChunk returns, so a range can move back at once.
        await cluster.command({ moveChunk: namespace, bounds: [chunk.min, chunk.max], to, _waitForDelete: true });
        const [min, max] = [hashedBound(chunk.min.clerkId), hashedBound(chunk.max.clerkId)];
        migrations.push({ startedAt, endedAt: performance.now(), from: chunk.shard, to, min, max });
      }
    })().finally(() => (moving = false));
    mover.catch(() => undefined); // awaited below; a failure of the waves first must not leave it unhandled
    // Waves of new users' histories, shuffled, some redelivered, for as long as the migrations go on.
    let waves = 0;
    while (moving) {
      waves += 1;
      const wave = generateHistories(rng, { users: 40, events: [2, 5], deleteChance: 0.25 });
      const deliveries = planDeliveries(rng, wave, { order: 'shuffled', duplicateRate: 0.1 });
      for (const { userId } of wave) keyOfUser.set(userId, hashedKeyOf(userId));
      for (const { svixId, body } of deliveries) userOfDelivery.set(svixId, (JSON.parse(body) as { data: { id: string } }).data.id);
      const report = await sendDeliveries(deliveries, {
        url: webhookUrls(server!),
        secret,
        concurrency: 20,
        retryDelaysMs: compressedSvixSchedule(1_000),
        onAttempt: (attempt) => attempts.push(attempt),
      });
      expect({ delivered: report.delivered, gaveUp: report.failed }, `wave ${waves}: every delivery acknowledged`).toEqual({
        delivered: deliveries.length,
        gaveUp: 0,
      });
      histories.push(...wave);
      sent.push(...deliveries);
    }
    await mover;
    log(
      `${migrations.length} migrations (${migrations.map((m) => `${m.from}→${m.to} in ${Math.round(m.endedAt - m.startedAt)} ms, ${writesDuring(m)} deliveries of its users meanwhile`).join('; ')}); ` +
        `${waves} waves, ${histories.length} users, ${sent.length} deliveries, ${attempts.length} attempts`,
    );

    // First: did the migrations really overlap the deliveries of the users they moved?
    expect(overlapped(), 'migrations during which users of the moving chunk had deliveries answered 200').toBeGreaterThanOrEqual(WANTED);

    await expectInOrderState(db, histories, sent, attempts);
    // On the shards themselves, not only through mongos (which would hide a copy a migration left behind):
    // each user once, on the shard that owns its chunk now.
    const owners = await chunks.find({ ns: namespace }).toArray();
    const misplaced: string[] = [];
    let stored = 0;
    for (const shard of cluster.shards) {
      const primary = await shard.primary();
      const { cursor } = await primary.command(
        { find: COLLECTIONS.users, projection: { _id: 0, clerkId: 1 }, batchSize: 100_000 },
        { database: db.databaseName },
      );
      const here = (cursor.firstBatch as { clerkId: string }[]).map(({ clerkId }) => clerkId);
      stored += here.length;
      misplaced.push(
        ...here
          .filter((clerkId) => shardHolding(owners, 'clerkId', clerkId) !== shard.name)
          .map((clerkId) => `${clerkId} on ${shard.name}`),
      );
    }
    expect(misplaced, 'users stored on a shard that does not own their chunk').toEqual([]);
    expect(stored, "users on the shards' own reads").toBe(histories.length);
  });

  test("a shard's primary steps down while both instances deliver users' and organizations' histories: nothing lost, duplicated or resurrected", async () => {
    const { cluster, db } = server!;
    const shard = cluster.shards[0]!;
    const log = (line: string) => console.log(`  [${shard.name} step-down] ${line}`);
    const before = await shard.primary();
    const rng = seededRandom(SEED + 4);
    const histories = generateHistories(rng, { users: 200, events: [2, 4], deleteChance: 0.25 });
    const organizations = generateOrganizationHistories(rng, { organizations: 30, members: [1, 5], deleteChance: 0.25 });
    const window = await runFaultPhase({
      server: server!,
      fault: shardPrimaryStepDown(shard.name),
      rng,
      histories,
      organizations,
      log,
      concurrency: 50,
      overlap: 100,
      faultAfter: 0.3,
    });
    const after = await shard.primary();
    expect.soft(after.host, 'a new primary').not.toBe(before.host);
    expect
      .soft(await electedAt(after), 'the new primary was elected only after the overlap (election time in whole seconds)')
      .toBeGreaterThanOrEqual(Math.floor((performance.timeOrigin + window.liftStartedAt) / 1000) * 1000);
    const hashes = await membersAgree(shard.members, db.databaseName);
    expect.soft(new Set(hashes).size, `both members of ${shard.name} hold the same users and ledger (${hashes.join(', ')})`).toBe(1);
  });
});

function log(line: string): void {
  console.log(`  [sharded] ${line}`);
}
