/**
 * A Next.js app that is not this one adopts the package: its own layout and
 * page, its own MongoClient module (Next's with-mongodb example), Clerk's
 * middleware with its recommended matcher, the webhook route the package's
 * README shows, and a route that reads the signed-in user with `syncedUser`
 * (tests/adopters/fixtures/next-app). Installed from the packed tarball with
 * no network, type-checked strictly, built with `next build` and served by
 * `next start`, it passes the webhook cases, syncs a user just in time from
 * the Backend API double, backfills through the package's CLI, and ships no
 * package code to the browser.
 */
import { execFile, spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { clerkId, clerkUser } from 'clerk-mongo-sync/testing';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startClerkApiDouble, type ClerkApiDouble } from '../../tools/clerk/api-double';
import { ensureRunSecrets, runSecrets } from '../../tools/clerk/run-secrets';
import { INSTANCE_KEY_ID, mintSessionToken } from '../../tools/clerk/session-tokens';
import { TEST_CLERK_KEYS } from '../../tools/harness/next-server';
import { startServer, type AdopterServer } from './support/server';
import { webhookCases, type Adopter } from './support/webhook-cases';

const root = inject('adopterRoot');
const appDir = path.join(root, 'next-app');
const bin = (name: string) => path.join(root, 'node_modules', '.bin', name);

let clerk: ClerkApiDouble;
let server: AdopterServer;
let client: MongoClient;
let env: Record<string, string>;
let typecheck: { status: number | null; output: string };

/** Runs one of the install's commands in the app's folder, as the adopter would from a terminal (blocking: nothing else runs meanwhile). */
function run(command: string, args: string[]) {
  const result = spawnSync(command, args, { cwd: appDir, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 300_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** The same, leaving this process free meanwhile: the Backend API double it talks to answers from here. */
function runAlongside(command: string, args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd: appDir, env: { ...process.env, ...env }, timeout: 120_000 }, (error, stdout, stderr) =>
      resolve({ status: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  cpSync(path.join(__dirname, 'fixtures', 'next-app'), appDir, { recursive: true });
  ensureRunSecrets();
  // Clerk's middleware, as configured by most apps (no jwtKey), verifies session tokens with the instance's JWKS.
  clerk = await startClerkApiDouble({
    secretKey: TEST_CLERK_KEYS.CLERK_SECRET_KEY,
    jwks: { publicKey: runSecrets().jwtPublicKey, kid: INSTANCE_KEY_ID },
  });
  env = {
    NEXT_TELEMETRY_DISABLED: '1',
    MONGODB_URI: process.env.MONGODB_URI!,
    MONGODB_DB: process.env.MONGODB_DB!,
    CLERK_WEBHOOK_SECRET: process.env.CLERK_WEBHOOK_SECRET!,
    ...TEST_CLERK_KEYS,
    CLERK_API_URL: clerk.url,
  };
  typecheck = run(bin('tsc'), ['--noEmit', '-p', 'tsconfig.json']);
  const build = run(bin('next'), ['build']);
  if (build.status !== 0) throw new Error(`next build failed:\n${build.output}`);
  server = await startServer({
    args: [path.join(root, 'node_modules', 'next', 'dist', 'bin', 'next'), 'start', '-p', '{port}'],
    cwd: appDir,
    env: { ...env, NODE_ENV: 'production' },
    readyPath: '/api/webhooks/clerk',
  });
  client = new MongoClient(env.MONGODB_URI!);
}, 600_000);

afterAll(async () => {
  await server?.stop();
  await client?.close();
  await clerk?.close();
});

describe('a Next.js app adopting the package', () => {
  it('passes its own strict type check, with the package’s types from the tarball', () => {
    expect(typecheck.output).toBe('');
    expect(typecheck.status).toBe(0);
  });

  describe('the webhook route (four lines: clerkWebhookRoute)', () => {
    webhookCases((): Adopter => ({
      endpoint: `${server.origin}/api/webhooks/clerk`,
      db: client.db(env.MONGODB_DB),
      addRecord: async (clerkId) => void (await client.db(env.MONGODB_DB).collection('notes').insertOne({ clerkId, text: 'a note' })),
      recordsOf: (clerkId) => client.db(env.MONGODB_DB).collection('notes').countDocuments({ clerkId }),
    }));

    it('answers every method but POST 405, through Clerk’s middleware', async () => {
      const answer = await fetch(`${server.origin}/api/webhooks/clerk`);
      expect(answer.status).toBe(405);
      expect(answer.headers.get('allow')).toBe('POST');
    });
  });

  it('syncedUser: a signed-in user no webhook has brought yet is synced from Clerk on the spot (the mapUser field too)', async () => {
    const user = clerkUser({ firstName: 'Grace', publicMetadata: { plan: 'pro' } });
    clerk.users.put(user);
    const token = await mintSessionToken({ userId: user.id, origin: server.origin });
    const cookie = `__session=${token}; __client_uat=${Math.floor(Date.now() / 1000) - 1}; __clerk_db_jwt=${clerkId('dvb')}`;
    const me = await fetch(`${server.origin}/api/me`, { headers: { cookie } });
    expect(me.status).toBe(200);
    const why = `Clerk: ${me.headers.get('x-clerk-auth-status')} ${me.headers.get('x-clerk-auth-reason')}`;
    expect(await me.json(), why).toEqual({ state: 'ready', user: { clerkId: user.id, firstName: 'Grace', plan: 'pro' } });
    expect(await client.db(env.MONGODB_DB).collection('users').countDocuments({ clerkId: user.id })).toBe(1);
    expect(await (await fetch(`${server.origin}/api/me`)).json()).toEqual({ state: 'signed_out' });
  });

  it('backfills every Clerk user through the package’s CLI (npx clerk-mongo-sync sync backfill)', async () => {
    const waiting = [clerkUser({ firstName: 'Early' }), clerkUser({ firstName: 'Bird' })];
    for (const user of waiting) clerk.users.put(user);
    const backfill = await runAlongside('npx', ['--offline', 'clerk-mongo-sync', 'sync', 'backfill', '--json']);
    expect(backfill.status, backfill.stderr).toBe(0);
    expect(JSON.parse(backfill.stdout)).toMatchObject({ status: 'completed', counts: { created: expect.any(Number) } });
    const stored = await client
      .db(env.MONGODB_DB)
      .collection('users')
      .find({ clerkId: { $in: waiting.map((user) => user.id) } })
      .toArray();
    expect(stored.map((user) => user.firstName).sort()).toEqual(['Bird', 'Early']);
  });

  it('ships no code of the package to the browser: it is in the server build only', () => {
    const filesUnder = (dir: string): string[] =>
      readdirSync(dir).flatMap((name) => {
        const file = path.join(dir, name);
        return statSync(file).isDirectory() ? filesUnder(file) : [file];
      });
    // Strings only the package's code holds: its log events and its answers.
    const markers = ['clerk_webhook', 'webhook_secret_malformed', 'method not allowed: deliveries are POSTed'];
    const holding = (dir: string) =>
      filesUnder(dir).filter((file) => file.endsWith('.js') && markers.some((marker) => readFileSync(file, 'utf8').includes(marker)));
    expect(existsSync(path.join(appDir, '.next', 'static'))).toBe(true);
    expect(holding(path.join(appDir, '.next', 'static'))).toEqual([]);
    expect(holding(path.join(appDir, '.next', 'server')).length).toBeGreaterThan(0);
  });
});
