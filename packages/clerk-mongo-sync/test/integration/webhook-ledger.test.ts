/**
 * The delivery ledger (`webhook_deliveries`): what an entry holds, how repeated
 * attempts are recorded, and bounded retention (a TTL index).
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_COLLECTIONS as COLLECTIONS, LEDGER_TTL_SECONDS } from '../../src/db/indexes.js';
import { recordDelivery, type DeliveryRecord } from '../../src/webhooks/ledger.js';
import { database as db, store } from '../support/engine.js';
import { clerkUser, userCreatedEvent } from '../../src/testing/payloads.js';
import { signWebhook } from '../../src/testing/svix.js';
import { ledgerEntry } from '../support/sync-state.js';
import { postToRoute } from '../support/webhook.js';

const DAY_MS = 24 * 3600 * 1000;
const TTL_MS = LEDGER_TTL_SECONDS * 1000;

function entry(svixId: string, receivedAt: Date): DeliveryRecord {
  return { svixId, type: 'user.updated', clerkId: 'user_2ledger', outcome: 'applied', status: 200, receivedAt, durationMs: 3, attempts: 1 };
}

async function seed(...entries: DeliveryRecord[]) {
  await (await store()).deliveries.insertMany(entries.map((record) => ({ _id: record.svixId, ...record })));
}

async function svixIdsLeft(prefix: string) {
  const left = await (await store()).deliveries.find({ svixId: { $regex: `^${prefix}` } }).toArray();
  return left.map((record) => record.svixId).sort();
}

describe('ledger entries', () => {
  it('hold ids, type, outcome, status and timing of a delivery, and no payload data', async () => {
    const user = clerkUser({ email: 'ledger.person@example.com', firstName: 'Ledger' });
    const delivery = signWebhook(process.env.CLERK_WEBHOOK_SECRET!, userCreatedEvent(user));
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
    expect(await (await store()).deliveries.countDocuments({ _id: delivery.svixId })).toBe(1);
  });

  it('count every attempt, replace an earlier failure with the later success, and keep a success against later "stale" retries', async () => {
    const engineStore = await store();
    const svixId = `msg_attempts_${Date.now()}`;
    const attempt = (outcome: DeliveryRecord['outcome'], status: number) =>
      recordDelivery(engineStore, {
        svixId,
        type: 'user.created',
        clerkId: 'user_2x',
        outcome,
        status,
        receivedAt: new Date(),
        durationMs: 1,
      });

    await attempt('schema_violation', 422);
    await attempt('applied', 200);
    expect(await ledgerEntry(svixId)).toMatchObject({ outcome: 'applied', status: 200, attempts: 2 });
    await Promise.all([attempt('stale', 200), attempt('stale', 200)]);
    expect(await ledgerEntry(svixId)).toMatchObject({ outcome: 'applied', status: 200, attempts: 4 });
    expect(await engineStore.deliveries.countDocuments({ svixId })).toBe(1);
  });
});

describe('retention', () => {
  it("is the server's: a TTL index on receivedAt deletes entries older than 30 days and keeps younger ones", async () => {
    await store(); // the engine makes its indexes on first use
    const indexes = await db().collection(COLLECTIONS.deliveries).listIndexes().toArray();
    expect(indexes.find((index) => index.name === 'receivedAt_ttl')).toMatchObject({
      key: { receivedAt: 1 },
      expireAfterSeconds: LEDGER_TTL_SECONDS,
    });

    const prefix = `msg_ttl_${Date.now()}_`;
    await seed(
      entry(`${prefix}expired`, new Date(Date.now() - TTL_MS - 60_000)),
      entry(`${prefix}young`, new Date(Date.now() - TTL_MS + DAY_MS)),
    );
    // The launched test server's TTL monitor runs every second (tests/support/global-db.ts); MongoDB's default is every 60 s.
    const deadline = Date.now() + 150_000;
    while ((await svixIdsLeft(prefix)).length > 1 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 250));
    expect(await svixIdsLeft(prefix)).toEqual([`${prefix}young`]);
  }, 180_000);
});
