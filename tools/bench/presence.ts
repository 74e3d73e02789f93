/**
 * `npm run bench:presence`: what presence costs. 200 signed-in users (session
 * tokens minted as in the e2e suite, verified by the real middleware), each
 * beating every 30 s from a random phase, against the production build of the
 * app on the embedded database (a mongod on PATH if there is one). Open loop:
 * every beat is sent on schedule, whatever the previous ones are doing.
 *
 * Prints the heartbeat's p50/p99 latency next to a baseline measured in the
 * same run on the same schedule (GET /api/health: the same middleware and
 * session check, one database ping, no write), and the database writes per
 * minute next to a naive heartbeat that writes on every beat. Figures are
 * reported, not asserted.
 *
 * `-- --users 50 --minutes 1`: another population or duration (tokens last 15 minutes).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { MongoClient } from 'mongodb';
import { DEFAULT_COLLECTIONS as COLLECTIONS } from 'clerk-mongo-sync';
import { clerkId, clerkUser, userCreatedEvent, postWebhook, signWebhook } from 'clerk-mongo-sync/testing';
import { mintSessionToken } from '../clerk/session-tokens';
import { ensureRunSecrets, runSecrets } from '../clerk/run-secrets';
import { percentile } from '../harness/sender';
import { buildApp, startApp, TEST_CLERK_KEYS, type NextServer } from '../harness/next-server';
import { startLocalDb, type LocalDb } from '../db/local-db';
import { describeMachine } from './machine';

const { values: options } = parseArgs({
  options: { users: { type: 'string', default: '200' }, minutes: { type: 'string', default: '3' } },
});
const USERS = Number(options.users);
const HEARTBEAT_MINUTES = Number(options.minutes);
const BASELINE_MINUTES = 1;
const BEAT_EVERY_MS = 30_000;
const DIST_DIR = '.next-bench-presence';
const DATABASE = 'clerk_mongo_sync_bench_presence';

type SignedInUser = { userId: string; sessionId: string; cookie: string };
type Answer = { ms: number; status: number; outcome?: string; sentAt: number };

async function seedUsers(app: NextServer, secret: string): Promise<SignedInUser[]> {
  const users: SignedInUser[] = [];
  for (let index = 0; index < USERS; index++) {
    const user = clerkUser({ firstName: `Bench${index}` });
    const answer = await postWebhook(`${app.origin}/api/webhooks/clerk`, signWebhook(secret, userCreatedEvent(user)));
    if (answer.status !== 200) throw new Error(`seeding user ${index}: ${answer.status}`);
    const sessionId = clerkId('sess');
    const token = await mintSessionToken({ userId: user.id, sessionId, origin: app.origin });
    const cookie = `__session=${token}; __client_uat=${Math.floor(Date.now() / 1000) - 1}; __clerk_db_jwt=${clerkId('dvb')}`;
    users.push({ userId: user.id, sessionId, cookie });
  }
  return users;
}

async function send(url: string, method: 'GET' | 'POST', cookie: string): Promise<Answer> {
  const sentAt = Date.now();
  const started = performance.now();
  try {
    const response = await fetch(url, { method, headers: { cookie }, redirect: 'manual' });
    const body = (await response.json()) as { outcome?: string };
    return { ms: performance.now() - started, status: response.status, outcome: body.outcome, sentAt };
  } catch {
    return { ms: performance.now() - started, status: 0, sentAt };
  }
}

/** Every user requests `url` every 30 s from a random phase, for `minutes` (on a fixed schedule: no drift); resolves with every answer. */
async function beatOnSchedule(users: SignedInUser[], url: string, method: 'GET' | 'POST', minutes: number): Promise<Answer[]> {
  const start = Date.now();
  const end = start + minutes * 60_000;
  const pending: Promise<Answer>[] = [];
  await Promise.all(
    users.map(async (user) => {
      for (let due = start + Math.random() * BEAT_EVERY_MS; due < end; due += BEAT_EVERY_MS) {
        await sleepUntil(due);
        pending.push(send(url, method, user.cookie));
      }
    }),
  );
  return Promise.all(pending);
}

function sleepUntil(time: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, time - Date.now())));
}

function latencyLine(label: string, answers: Answer[]): string {
  const ms = answers.map((answer) => answer.ms);
  const failed = answers.filter((answer) => answer.status !== 200).length;
  return `${label.padEnd(22)} ${String(answers.length).padStart(6)} requests  p50 ${percentile(ms, 50).toFixed(1).padStart(6)} ms  p99 ${percentile(ms, 99).toFixed(1).padStart(7)} ms  non-200 ${failed}`;
}

function countBy(answers: Answer[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const answer of answers) {
    const key = answer.outcome ?? `status ${answer.status}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

async function oneOffWrites(database: LocalDb): Promise<{ sessionsRecorded: number; online: number }> {
  const client = new MongoClient(database.uri);
  try {
    const db = client.db(DATABASE);
    return {
      sessionsRecorded: await db.collection(COLLECTIONS.sessions).countDocuments({ version: 0 }),
      online: await db.collection(COLLECTIONS.users).countDocuments({ isOnline: true }),
    };
  } finally {
    await client.close();
  }
}

async function main() {
  ensureRunSecrets();
  const secrets = runSecrets();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'clerk-mongo-sync-bench-presence-'));
  const database = await startLocalDb({ dataDir });
  let app: NextServer | undefined;
  try {
    const clerkEnv = { ...TEST_CLERK_KEYS, CLERK_JWT_KEY: secrets.jwtPublicKey };
    console.log('next build…');
    buildApp({ distDir: DIST_DIR, env: clerkEnv });
    app = await startApp({
      distDir: DIST_DIR,
      env: { ...clerkEnv, MONGODB_URI: database.uri, MONGODB_DB: DATABASE, CLERK_WEBHOOK_SECRET: secrets.webhookSecret },
    });
    const users = await seedUsers(app, secrets.webhookSecret);
    console.log(
      `${USERS} users signed in; baseline for ${BASELINE_MINUTES} min, then heartbeats for ${HEARTBEAT_MINUTES} min, every user every 30 s`,
    );

    const baseline = await beatOnSchedule(users, `${app.origin}/api/health`, 'GET', BASELINE_MINUTES);
    const started = Date.now();
    const beats = await beatOnSchedule(users, `${app.origin}/api/presence/heartbeat`, 'POST', HEARTBEAT_MINUTES);
    const outcomes = countBy(beats);
    const { sessionsRecorded, online } = await oneOffWrites(database);
    // After the first 30 s every user has a document, a session and isOnline true: only lastSeen writes remain.
    const steady = beats.filter((answer) => answer.sentAt >= started + BEAT_EVERY_MS);
    const steadyMinutes = HEARTBEAT_MINUTES - BEAT_EVERY_MS / 60_000;
    const steadyWrites = steady.filter((answer) => answer.outcome === 'recorded').length;

    const p50 = (answers: Answer[]) =>
      percentile(
        answers.map((answer) => answer.ms),
        50,
      );
    const p99 = (answers: Answer[]) =>
      percentile(
        answers.map((answer) => answer.ms),
        99,
      );
    console.log('');
    for (const line of describeMachine()) console.log(line);
    console.log(`database: ${database.description}`);
    console.log('');
    console.log(latencyLine('baseline GET /api/health', baseline));
    console.log(latencyLine('POST heartbeat', beats));
    console.log(`heartbeat / baseline: p50 ×${(p50(beats) / p50(baseline)).toFixed(2)}, p99 ×${(p99(beats) / p99(baseline)).toFixed(2)}`);
    console.log(`outcomes: ${JSON.stringify(outcomes)}`);
    console.log(`beats/min: ${(beats.length / HEARTBEAT_MINUTES).toFixed(1)} (naive heartbeat: one write each)`);
    console.log(
      `users writes/min, steady state (lastSeen): ${(steadyWrites / steadyMinutes).toFixed(1)} = ${(steadyWrites / steadyMinutes / USERS).toFixed(2)} per user, ×${(steadyWrites / steady.length).toFixed(2)} of naive`,
    );
    console.log(`one-off writes: ${sessionsRecorded} sessions recorded from tokens, ${online} users set online (isOnline)`);
  } finally {
    await app?.stop();
    await database.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(path.resolve(__dirname, '..', '..', DIST_DIR), { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
