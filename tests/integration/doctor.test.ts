/**
 * `npm run doctor` (the engine's doctor with the app's defaults) against a
 * real production build of the app on the test database: every check passes,
 * and the endpoint pasted with a trailing slash is served, not redirected.
 * Every diagnosis the doctor makes: packages/clerk-mongo-sync/test/integration/doctor.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newWebhookSecret } from 'clerk-mongo-sync/testing';
import { startClerkApiDouble, type ClerkApiDouble } from '../../tools/clerk/api-double';
import { startApp, TEST_CLERK_KEYS, type NextServer } from '../../tools/harness/next-server';
import { ensureProductionBuild } from '../../tools/harness/server';
import { runToolCli } from '../support/cli';

const appEnv = {
  MONGODB_URI: process.env.MONGODB_URI!,
  MONGODB_DB: process.env.MONGODB_DB!,
  CLERK_WEBHOOK_SECRET: process.env.CLERK_WEBHOOK_SECRET!,
  ...TEST_CLERK_KEYS,
  /** The local Clerk Backend API double (set in beforeAll), which knows TEST_CLERK_KEYS' secret key. */
  CLERK_API_URL: '',
};

let clerk: ClerkApiDouble;
let app: NextServer;
let endpoint: string;

beforeAll(async () => {
  // The fault run's build: one production build per test run.
  clerk = await startClerkApiDouble({ secretKey: TEST_CLERK_KEYS.CLERK_SECRET_KEY });
  appEnv.CLERK_API_URL = clerk.url;
  const build = await ensureProductionBuild();
  app = await startApp({ distDir: build.distDir, env: { ...build.env, ...appEnv } });
  endpoint = `${app.origin}/api/webhooks/clerk`;
}, 300_000);

afterAll(async () => {
  await app?.stop();
  await clerk?.close();
});

const doctor = (args: string[], env: Record<string, string> = appEnv) => runToolCli('tools/doctor.ts', args, env);

describe('npm run doctor', () => {
  it('passes every check against the app, exit 0', async () => {
    const run = await doctor(['--url', endpoint]);
    expect(run.stdout).toMatch(new RegExp(`^clerk-mongo-sync doctor — endpoint ${endpoint} \\(from --url\\)`));
    for (const check of [
      'Environment variables well-formed',
      'Webhook signing secret',
      'Clerk API keys',
      'MongoDB reachable',
      'Webhook endpoint reachable',
      'Signed test event round-trips',
      'Indexes present',
    ])
      expect(run.stdout).toContain(`✔ ${check}:`);
    expect(run.stdout).toMatch(/All checks passed\.\n$/);
    expect(run.code).toBe(0);
  });

  it('passes the endpoint URL pasted with a trailing slash: the app serves it, no redirect', async () => {
    const run = await doctor(['--url', `${endpoint}/`]);
    expect(run.stdout).toMatch(/✔ Webhook endpoint reachable:/);
    expect(run.code).toBe(0);
  });

  it('names the app’s own command in its fixes: a secret the app does not verify with', async () => {
    const run = await doctor(['--url', endpoint], { ...appEnv, CLERK_WEBHOOK_SECRET: newWebhookSecret() });
    expect(run.stdout).toMatch(/✘ Signed test event round-trips: the app answered 400 bad_signature/);
    expect(run.code).toBe(1);
    const unset = await doctor(['--url', endpoint], { ...appEnv, CLERK_WEBHOOK_SECRET: '' });
    expect(unset.stdout).toMatch(/fix: .*npm run webhook -- secret --write puts one into \.env\.local/);
  });

  it('answers --help with what it checks and where it looks, exit 0', async () => {
    const { stdout, code } = await doctor(['--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: npm run doctor -- \[--url <webhook endpoint>\]/);
    expect(stdout).toMatch(/\.data\/dev-server\.json/);
  });
});
