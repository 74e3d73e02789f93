/**
 * `clerk-mongo-sync doctor` against a receiver of the engine on the test
 * database (Node's http and the node entry): it passes when everything is
 * right, and each failure it is meant to diagnose produces the matching
 * message. (The app's `npm run doctor` against its production build:
 * tests/integration/doctor.test.ts.)
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckResult } from '../../src/cli/doctor/result.js';
import { openDatabase } from '../../src/cli/doctor/database-checks.js';
import { runDoctor } from '../../src/cli/doctor/run.js';
import { DEFAULT_COLLECTIONS as COLLECTIONS } from '../../src/db/indexes.js';
import { nodeWebhookHandler } from '../../src/node.js';
import { newWebhookSecret } from '../../src/testing/svix.js';
import { startClerkApiDouble, type ClerkApiDouble } from '../../../../tools/clerk/api-double';
import { freePort } from '../../../../tools/db/local-db';
import { TEST_CLERK_KEYS } from '../../../../tools/harness/next-server';
import { runBin } from '../support/cli.js';
import { clerkSync, database } from '../support/engine.js';

const appEnv = {
  MONGODB_URI: process.env.MONGODB_URI!,
  MONGODB_DB: process.env.MONGODB_DB!,
  CLERK_WEBHOOK_SECRET: process.env.CLERK_WEBHOOK_SECRET!,
  ...TEST_CLERK_KEYS,
  /** The local Clerk Backend API double (set in beforeAll), which knows TEST_CLERK_KEYS' secret key. */
  CLERK_API_URL: '',
};

let clerk: ClerkApiDouble;
let receiver: Server;
let endpoint: string;

/** A server on its own port, answering every request with `respond`. */
async function serve(respond: Parameters<typeof createServer>[1]): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer(respond);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/webhooks/clerk`;
  return { url, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

beforeAll(async () => {
  clerk = await startClerkApiDouble({ secretKey: TEST_CLERK_KEYS.CLERK_SECRET_KEY });
  appEnv.CLERK_API_URL = clerk.url;
  // The receiver: the engine on the test database, behind Node's http, on the path Clerk's dashboard is given.
  const handler = nodeWebhookHandler(clerkSync);
  receiver = createServer((request, response) => void handler(request, response));
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/api/webhooks/clerk`;
});

afterAll(async () => {
  await new Promise((resolve) => receiver?.close(resolve));
  await clerk?.close();
});

function verdict(results: CheckResult[], name: string): CheckResult {
  const found = results.find((result) => result.name === name);
  if (!found) throw new Error(`no check named "${name}" in ${results.map((result) => result.name).join(', ')}`);
  return found;
}

async function leftovers(): Promise<number> {
  const doctorIds = { clerkId: { $regex: '^user_doctor_' } };
  return (
    (await database().collection(COLLECTIONS.users).countDocuments(doctorIds)) +
    (await database().collection(COLLECTIONS.deliveries).countDocuments(doctorIds))
  );
}

describe('doctor', () => {
  it('passes every check against a healthy setup and leaves no test data behind', async () => {
    const results = await runDoctor({ env: appEnv, url: endpoint });
    expect(results.filter((result) => !result.ok)).toEqual([]);
    expect(results.map((result) => result.name)).toEqual([
      'Environment variables well-formed',
      'Webhook signing secret',
      'Clerk API keys',
      'MongoDB reachable',
      'Webhook endpoint reachable',
      'Signed test event round-trips',
      'Indexes present',
    ]);
    expect(verdict(results, 'MongoDB reachable').detail).toMatch(/MongoDB \d/);
    expect(verdict(results, 'Clerk API keys').detail).toMatch(
      /secret key verified: Clerk’s Backend API \(http:\/\/127\.0\.0\.1:\d+\) accepted it/,
    );
    expect(await leftovers()).toBe(0);
  });

  it('fails the Clerk keys when Clerk’s Backend API refuses the secret key, though its format is right', async () => {
    const results = await runDoctor({ env: { ...appEnv, CLERK_SECRET_KEY: 'sk_test_revokedKey000000000000000000000000' }, url: endpoint });
    const keys = verdict(results, 'Clerk API keys');
    expect(keys).toMatchObject({ ok: false, detail: expect.stringMatching(/refused the secret key \(401\)/) });
    expect(keys.fix).toMatch(/Clerk Dashboard → API keys/);
  });

  it('says the Clerk keys were checked for format only when Clerk’s Backend API does not answer', async () => {
    const results = await runDoctor({ env: { ...appEnv, CLERK_API_URL: `http://127.0.0.1:${await freePort()}` }, url: endpoint });
    expect(verdict(results, 'Clerk API keys')).toMatchObject({
      ok: true,
      detail: expect.stringMatching(
        /format only — not checked against Clerk: its Backend API \(http:\/\/127\.0\.0\.1:\d+\) is unreachable/,
      ),
    });
  });

  it('blames the secret when the app verifies with a different one', async () => {
    const results = await runDoctor({ env: { ...appEnv, CLERK_WEBHOOK_SECRET: newWebhookSecret() }, url: endpoint });
    const roundTrip = verdict(results, 'Signed test event round-trips');
    expect(roundTrip.ok).toBe(false);
    expect(roundTrip.detail).toMatch(/400 bad_signature: it verifies with a different secret/);
    expect(roundTrip.fix).toMatch(/same CLERK_WEBHOOK_SECRET/);
    expect(results.filter((result) => !result.ok).map((result) => result.name)).toEqual(['Signed test event round-trips']);
    expect(await leftovers()).toBe(0);
  });

  it('reports the database as unreachable, within seconds, when nothing listens at MONGODB_URI', async () => {
    const startedAt = Date.now();
    const results = await runDoctor({ env: { ...appEnv, MONGODB_URI: `mongodb://127.0.0.1:${await freePort()}/down` }, url: endpoint });
    expect(Date.now() - startedAt).toBeLessThan(10_000);
    const database = verdict(results, 'MongoDB reachable');
    expect(database).toMatchObject({ ok: false, detail: expect.stringMatching(/cannot reach a database at 127\.0\.0\.1:\d+ within 2 s/) });
    expect(database.fix).toMatch(/start the database MONGODB_URI names, or correct MONGODB_URI/);
    expect(database.fix).not.toMatch(/embedded|npm run dev/); // MONGODB_URI is set: a wrapper's default database is not in use
    expect(verdict(results, 'Signed test event round-trips').detail).toMatch(/skipped: needs MongoDB reachable/);
    expect(verdict(results, 'Indexes present').ok).toBe(false);
  });

  it("gives a wrapping script's own fix for its default database when MONGODB_URI is unset and nothing answers there", async () => {
    const fix = 'MONGODB_URI is not set, so this is the embedded database: start it with npm run dev';
    const opened = await openDatabase({ uri: `mongodb://127.0.0.1:${await freePort()}/clerk_mongo_sync`, fix }, undefined);
    expect(opened.result).toMatchObject({ ok: false, fix });
    const { MONGODB_URI: _unset, ...withoutUri } = appEnv;
    const results = await runDoctor({ env: withoutUri, url: endpoint });
    expect(verdict(results, 'MongoDB reachable')).toMatchObject({ ok: false, detail: 'MONGODB_URI is not set' });
  });

  it('detects a webhook route that middleware redirects to sign-in', async () => {
    // What clerkMiddleware + auth.protect() answers for a route it protects.
    const protectedApp: Server = createServer((request, response) => {
      response.writeHead(307, { location: `/sign-in?redirect_url=${encodeURIComponent(request.url ?? '/')}` }).end();
    });
    await new Promise<void>((resolve) => protectedApp.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(protectedApp.address() as AddressInfo).port}/api/webhooks/clerk`;
      const results = await runDoctor({ env: appEnv, url });
      const reachable = verdict(results, 'Webhook endpoint reachable');
      expect(reachable).toMatchObject({
        ok: false,
        detail: expect.stringMatching(/redirected \(307\) to \/sign-in: middleware protects the webhook route/),
      });
      expect(reachable.fix).toMatch(/middleware matcher/);
      expect(verdict(results, 'Signed test event round-trips').detail).toMatch(/skipped: needs Webhook endpoint reachable/);
    } finally {
      await new Promise((resolve) => protectedApp.close(resolve));
    }
  });

  it('recognises a 401 from Vercel’s Deployment Protection and names the bypass for automation', async () => {
    // What a protected preview deployment answers before the app sees the request (Vercel Authentication).
    const protectedPreview: Server = createServer((_request, response) => {
      response
        .writeHead(401, {
          server: 'Vercel',
          'x-vercel-id': 'fra1::abcde-1700000000000-0123456789ab',
          'set-cookie': '_vercel_sso_nonce=abc; Max-Age=3600; Path=/; Secure; HttpOnly; SameSite=Lax',
          'content-type': 'text/html; charset=utf-8',
        })
        .end('<!doctype html><title>Authentication Required</title>');
    });
    await new Promise<void>((resolve) => protectedPreview.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(protectedPreview.address() as AddressInfo).port}/api/webhooks/clerk`;
      const reachable = verdict(await runDoctor({ env: appEnv, url }), 'Webhook endpoint reachable');
      expect(reachable).toMatchObject({ ok: false, detail: expect.stringMatching(/answered 401 from Vercel .*Deployment Protection/) });
      expect(reachable.fix).toMatch(/Protection Bypass for Automation.*\?x-vercel-protection-bypass=<secret>/);
    } finally {
      await new Promise((resolve) => protectedPreview.close(resolve));
    }
  });

  it('detects a trailing-slash redirect in front of the receiver (Next redirects every path that ends in one)', async () => {
    const redirecting = await serve((request, response) => {
      response.writeHead(308, { location: (request.url ?? '/').replace(/\/$/, '') }).end();
    });
    try {
      const results = await runDoctor({ env: appEnv, url: `${redirecting.url}/` });
      expect(verdict(results, 'Webhook endpoint reachable')).toMatchObject({
        ok: false,
        detail: expect.stringMatching(/trailing-slash redirect/),
      });
    } finally {
      await redirecting.close();
    }
  });

  it('exits 0 from the command line only when every check passes', async () => {
    const healthy = await runBin(['doctor', '--url', endpoint], appEnv);
    expect(healthy.stdout).toMatch(/✔ Signed test event round-trips/);
    expect(healthy.code).toBe(0);

    const broken = await runBin(['doctor', '--url', endpoint], { ...appEnv, CLERK_WEBHOOK_SECRET: 'whsec_not-a-secret' });
    expect(broken.stdout).toMatch(/✘ Webhook signing secret: CLERK_WEBHOOK_SECRET is malformed: must be "whsec_" followed by base64/);
    expect(broken.stdout).not.toContain('whsec_not-a-secret');
    expect(broken.stdout).toMatch(/fix: copy the Signing Secret/);
    expect(broken.code).toBe(1);
  });

  it('answers --help with what it checks and where it looks, exit 0', async () => {
    const { stdout, code } = await runBin(['doctor', '--help'], {});
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: clerk-mongo-sync doctor \[--url <webhook endpoint>\]/);
    expect(stdout).toMatch(/default http:\/\/localhost:3000\/api\/webhooks\/clerk/);
  });
});
