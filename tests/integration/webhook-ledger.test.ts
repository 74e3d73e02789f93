/**
 * The delivery ledger (`webhook_deliveries`): what an entry holds, how repeated
 * attempts are recorded, and bounded retention — a TTL index where the server
 * has them (MongoDB), pruning by the app where it does not (FerretDB v1).
 */
import { describe, expect, it, vi } from 'vitest';
import { capabilities, db } from '@/lib/db/client';
import { COLLECTIONS, LEDGER_TTL_SECONDS } from '@/lib/db/indexes';
import { deliveriesCollection, pruneExpiredDeliveries, recordDelivery, type DeliveryRecord } from '@/lib/webhooks/ledger';
import { clerkUser, userCreatedEvent } from '../../tools/clerk/payloads';
import { signDelivery } from '../../tools/clerk/svix';
import { ledgerEntry } from '../support/sync-state';
import { postToRoute } from '../support/webhook';

const DAY_MS = 24 * 3600 * 1000;
const TEN_MINUTES_MS = 10 * 60 * 1000;
const TTL_MS = LEDGER_TTL_SECONDS * 1000;

function entry(svixId: string, receivedAt: Date): DeliveryRecord {
  return { svixId, type: 'user.updated', clerkId: 'user_2ledger', outcome: 'applied', status: 200, receivedAt, durationMs: 3, attempts: 1 };
}

async function seed(...entries: DeliveryRecord[]) {
  await deliveriesCollection(await db()).insertMany(entries.map((record) => ({ _id: record.svixId, ...record })));
}

async function svixIdsLeft(prefix: string) {
  const left = await deliveriesCollection(await db())
    .find({ svixId: { $regex: `^${prefix}` } })
    .toArray();
  return left.map((record) => record.svixId).sort();
}

describe('ledger entries', () => {
  it('hold ids, type, outcome, status and timing of a delivery, and no payload data', async () => {
    const user = clerkUser({ email: 'ledger.person@example.com', firstName: 'Ledger' });
    const delivery = signDelivery(process.env.CLERK_WEBHOOK_SECRET!, userCreatedEvent(user));
    await postToRoute(delivery);
    const recorded = await ledgerEntry(delivery.svixId);
    expect(recorded).toEqual({
      svixId: delivery.svixId,
      type: 'user.created',
      clerkId: user.id,
      outcome: 'applied',
      status: 200,
      receivedAt: expect.any(Date),
      durationMs: expect.any(Number),
      attempts: 1,
    });
    // Keyed by the svix-id itself: recording is one insert into the primary index.
    expect(await deliveriesCollection(await db()).countDocuments({ _id: delivery.svixId })).toBe(1);
  });

  it('count every attempt, replace an earlier failure with the later success, and keep a success against later "stale" retries', async () => {
    const database = await db();
    const svixId = `msg_attempts_${Date.now()}`;
    const attempt = (outcome: DeliveryRecord['outcome'], status: number) =>
      recordDelivery({ svixId, type: 'user.created', clerkId: 'user_2x', outcome, status, receivedAt: new Date(), durationMs: 1 });

    await attempt('schema_violation', 422);
    await attempt('applied', 200);
    expect(await ledgerEntry(svixId)).toMatchObject({ outcome: 'applied', status: 200, attempts: 2 });
    await Promise.all([attempt('stale', 200), attempt('stale', 200)]);
    expect(await ledgerEntry(svixId)).toMatchObject({ outcome: 'applied', status: 200, attempts: 4 });
    expect(await deliveriesCollection(database).countDocuments({ svixId })).toBe(1);
  });
});

describe('retention', () => {
  it('is bounded on this server: a TTL index on MongoDB, else a plain index for the pruning query', async () => {
    const { ttlIndexes } = await capabilities();
    const indexes = await (await db()).collection(COLLECTIONS.deliveries).listIndexes().toArray();
    const onReceivedAt = indexes.find((index) => JSON.stringify(index.key) === JSON.stringify({ receivedAt: 1 }));
    const server = await (await db()).admin().command({ buildInfo: 1 });
    expect(ttlIndexes).toBe(!('ferretdbVersion' in server));
    if (ttlIndexes) expect(onReceivedAt).toMatchObject({ expireAfterSeconds: LEDGER_TTL_SECONDS });
    else expect(onReceivedAt).toMatchObject({ name: 'receivedAt' });
  });

  it('pruning deletes entries older than 30 days, keeps younger ones, and runs at most every 10 minutes', async () => {
    // A clock of its own, ahead of any delivery this process made, so the rate limit starts clear.
    const now = Date.now() + DAY_MS;
    const prefix = `msg_prune_${now}_`;
    await seed(entry(`${prefix}old`, new Date(now - TTL_MS - 1_000)), entry(`${prefix}young`, new Date(now - TTL_MS + 3_600_000)));

    expect(await pruneExpiredDeliveries(now)).toBeGreaterThanOrEqual(1);
    expect(await svixIdsLeft(prefix)).toEqual([`${prefix}young`]);

    await seed(entry(`${prefix}old2`, new Date(now - TTL_MS - 1_000)));
    expect(await pruneExpiredDeliveries(now + TEN_MINUTES_MS - 1)).toBe(0);
    expect(await svixIdsLeft(prefix)).toEqual([`${prefix}old2`, `${prefix}young`]);

    expect(await pruneExpiredDeliveries(now + TEN_MINUTES_MS)).toBe(1);
    expect(await svixIdsLeft(prefix)).toEqual([`${prefix}young`]);
  });

  it('on a server without TTL indexes, the first delivery a process receives prunes expired entries', async () => {
    const prefix = `msg_e2e_prune_${Date.now()}_`;
    await seed(entry(`${prefix}expired`, new Date(Date.now() - TTL_MS - DAY_MS)), entry(`${prefix}recent`, new Date(Date.now() - DAY_MS)));

    vi.resetModules(); // a new server process: no prune has run yet
    const fresh = await import('../support/webhook');
    const answer = await fresh.postToRoute(signDelivery(process.env.CLERK_WEBHOOK_SECRET!, userCreatedEvent(clerkUser())));
    expect(answer.status).toBe(200);

    const expected = (await capabilities()).ttlIndexes ? [`${prefix}expired`, `${prefix}recent`] : [`${prefix}recent`];
    expect(await svixIdsLeft(prefix)).toEqual(expected);
  });
});
