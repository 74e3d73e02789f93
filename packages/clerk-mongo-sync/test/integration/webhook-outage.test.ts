/**
 * The database goes away and comes back while the app keeps running (one
 * process, one shared client, configured as the app's: server selection in
 * 5 s, sockets in 7 s). Deliveries must get a fast 503 with Retry-After —
 * inside Svix's 15 s — and succeed on Svix's retry once the database is back.
 * A private server (stopped and restarted here) behind a proxy that can also
 * make it hang instead of refusing connections.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClerkSync, type ClerkSync } from '../../src/engine/create.js';
import { clerkUser, userCreatedEvent, userUpdatedEvent } from '../../src/testing/payloads.js';
import { signWebhook, type SignedWebhook } from '../../src/testing/svix.js';
import { startLocalDb, type LocalDb } from '../../../../tools/db/local-db';
import { testClient } from '../support/engine.js';
import { startStallingProxy, type StallingProxy } from '../support/stalling-proxy.js';
import { deliver as deliverTo, postToRoute as postTo, type Answer } from '../support/webhook.js';

const SVIX_TIMEOUT_MS = 15_000;

let server: LocalDb;
let proxy: StallingProxy;
let dataDir: string;
let client: MongoClient;
let clerkSync: ClerkSync;

const deliver = (payload: unknown) => deliverTo(payload, {}, clerkSync);
const postToRoute = (delivery: SignedWebhook) => postTo(delivery, clerkSync);

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'clerk-mongo-sync-outage-'));
  server = await startLocalDb({ dataDir, standalone: true }); // behind the proxy: see `standalone`
  proxy = await startStallingProxy({ host: '127.0.0.1', port: server.port });
  client = testClient(proxy.uri);
  clerkSync = createClerkSync({ database: () => client.db(process.env.MONGODB_DB) });
});

afterAll(async () => {
  await client.close();
  await proxy.close();
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function timed(send: () => Promise<Answer>) {
  const startedAt = performance.now();
  const answer = await send();
  return { answer, ms: performance.now() - startedAt };
}

function expectRetryLater({ answer, ms }: { answer: Answer; ms: number }) {
  expect(answer.status).toBe(503);
  expect(answer.body).toEqual({ outcome: 'unavailable', message: 'database unavailable, retry later' });
  expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
  expect(ms).toBeLessThan(SVIX_TIMEOUT_MS);
}

describe('database outage', () => {
  it('database stopped mid-life: 503 fast with Retry-After, then the retry and the next delivery are 200', async () => {
    const user = clerkUser();
    expect((await deliver(userCreatedEvent(user))).body.outcome).toBe('applied');

    await server.stop();
    const update = signWebhook(
      process.env.CLERK_WEBHOOK_SECRET!,
      userUpdatedEvent({ ...user, first_name: 'Retried', updated_at: user.updated_at + 1_000 }),
    );
    expectRetryLater(await timed(() => postToRoute(update)));

    await server.restart();
    expect((await postToRoute(update)).body.outcome).toBe('applied');
    expect((await deliver(userUpdatedEvent({ ...user, first_name: 'Next', updated_at: user.updated_at + 2_000 }))).body.outcome).toBe(
      'applied',
    );
    expect(await clerkSync.users.find(user.id)).toMatchObject({ firstName: 'Next' });
  });

  it('database hanging (connections open, no answers): still 503 inside 15 s, then 200 once it answers again', async () => {
    const user = clerkUser();
    expect((await deliver(userCreatedEvent(user))).body.outcome).toBe('applied');

    proxy.stall();
    const update = signWebhook(
      process.env.CLERK_WEBHOOK_SECRET!,
      userUpdatedEvent({ ...user, first_name: 'AfterHang', updated_at: user.updated_at + 1_000 }),
    );
    expectRetryLater(await timed(() => postToRoute(update)));

    proxy.resume();
    expect((await postToRoute(update)).status).toBe(200);
    expect(await clerkSync.users.find(user.id)).toMatchObject({ firstName: 'AfterHang' });
  });
});
