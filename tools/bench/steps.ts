/**
 * Where a delivery's time goes: each step of the receiving pipeline timed on
 * its own, with the engine's own functions and queries (its source), against
 * the benchmark's database as it stands. CPU steps run in this process (same
 * code, same machine as the server); database steps go through the app's
 * shared client pointed at the same database (`pointAppClientAt`), so every
 * write is made durable as the webhook makes it (w: majority, j: true): timed
 * through a client at the server's default write concern (w: 1 on MongoDB
 * 4.4), the user write would look several times cheaper than the ledger's.
 *
 * Imports server modules: run under `node --conditions=react-server`.
 */
import { clerkUser, signWebhook, userUpdatedEvent } from 'clerk-mongo-sync/testing';
import { db, mongoClient } from '../../lib/db/client';
import { DEFAULT_COLLECTIONS } from '../../packages/clerk-mongo-sync/src/db/indexes';
import { consoleLog } from '../../packages/clerk-mongo-sync/src/engine/log';
import { openStore } from '../../packages/clerk-mongo-sync/src/engine/store';
import { clerkUserJsonSchema, profileFromClerkUser } from '../../packages/clerk-mongo-sync/src/users/clerk-user';
import { upsertUserProfile } from '../../packages/clerk-mongo-sync/src/users/repository';
import { parseClerkEvent } from '../../packages/clerk-mongo-sync/src/webhooks/events';
import { recordDelivery } from '../../packages/clerk-mongo-sync/src/webhooks/ledger';
import { verifySignature } from '../../packages/clerk-mongo-sync/src/webhooks/verify';

export type StepTiming = { step: string; ms: number; runs: number };

const CPU_RUNS = 500;
const DB_RUNS = 5;
/** A database step is repeated up to DB_RUNS times, or until this much time went into it. */
const DB_STEP_BUDGET_MS = 8_000;

function timeCpu(step: string, work: () => void): StepTiming {
  for (let i = 0; i < 50; i++) work();
  const startedAt = performance.now();
  for (let i = 0; i < CPU_RUNS; i++) work();
  return { step, ms: (performance.now() - startedAt) / CPU_RUNS, runs: CPU_RUNS };
}

async function timeDb(step: string, work: (run: number) => Promise<unknown>): Promise<StepTiming> {
  const durations: number[] = [];
  const startedAt = performance.now();
  while (durations.length < DB_RUNS && (durations.length === 0 || performance.now() - startedAt < DB_STEP_BUDGET_MS)) {
    const began = performance.now();
    await work(durations.length);
    durations.push(performance.now() - began);
  }
  durations.sort((a, b) => a - b);
  return { step, ms: durations[Math.floor(durations.length / 2)]!, runs: durations.length };
}

/** Points the app's shared client (lib/db/client.ts, configured from env) at the benchmark's database. */
export function pointAppClientAt({ uri, name }: { uri: string; name: string }): void {
  process.env.MONGODB_URI = uri;
  process.env.MONGODB_DB = name;
}

/** Closes the app's shared client once the steps are timed: an open pool would keep the benchmark from exiting. */
export function closeAppClient(): Promise<void> {
  return mongoClient().close();
}

/**
 * Times the steps of one fresh user.updated delivery. `existingUserId` is a
 * stored user (its update is the common case); the database's users and
 * ledger are left as found, bar the few documents the steps write.
 */
export async function measureSteps(secret: string, existingUserId: string): Promise<StepTiming[]> {
  const now = Date.now();
  const user = clerkUser({ id: existingUserId, createdAt: now - 60_000, updatedAt: now, publicMetadata: { role: 'member' } });
  const delivery = signWebhook(secret, userUpdatedEvent(user));
  const fields = (id: string) => ({ profile: profileFromClerkUser(clerkUserJsonSchema.parse({ ...user, id })), app: {} });
  const store = await openStore(await db(), DEFAULT_COLLECTIONS, consoleLog);

  return [
    timeCpu('svix signature verification', () => verifySignature(secret, delivery.body, delivery.headers)),
    timeCpu('JSON.parse + zod event schema', () => parseClerkEvent(JSON.parse(delivery.body))),
    timeCpu('profileFromClerkUser (mapping)', () => profileFromClerkUser(clerkUserJsonSchema.parse(user))),
    await timeDb('guarded upsert: update of a stored user', (run) => upsertUserProfile(store, fields(existingUserId), now + run)),
    await timeDb('guarded upsert: insert of a new user', (run) =>
      upsertUserProfile(store, fields(`user_2stepsNew${now}${run}`), now + run),
    ),
    await timeDb('ledger: record the delivery (insert)', (run) =>
      recordDelivery(store, {
        svixId: `msg_steps_${now}_${run}`,
        type: 'user.updated',
        clerkId: existingUserId,
        outcome: 'applied',
        status: 200,
        receivedAt: new Date(),
        durationMs: 5,
      }),
    ),
  ];
}
