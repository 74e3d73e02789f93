/**
 * A newcomer's first run: `cp .env.local.example .env.local && npm run dev`
 * with no way to reach Clerk (no keys, and no internet for Clerk's
 * `npx clerk@latest init`), in `next dev` (tests/e2e/support/dev-server.ts).
 * Every page shows the app's own explanation instead of Clerk's error, the
 * health check and the webhook receiver work as ever, and the log says it
 * once. The browser reaches nothing but the app, at 127.0.0.1.
 */
import { clerkUser, userCreatedEvent } from 'clerk-mongo-sync/testing';
import { deliverWebhook } from './support/clerk';
import { storedUser } from './support/database';
import { startDevServer, type DevServer } from './support/dev-server';
import { test as base, expect } from './support/test';

// One `next dev` for the file (it compiles on the first request of each route: tens of seconds here).
base.describe.configure({ mode: 'serial' });

const test = base.extend<object, { devServer: DevServer }>({
  devServer: [
    async ({}, provide) => {
      const server = await startDevServer();
      await provide(server);
      await server.stop();
    },
    { scope: 'worker', timeout: 180_000 },
  ],
  baseURL: async ({ devServer }, provide) => provide(devServer.origin),
});

test.setTimeout(120_000);

for (const { path, name } of [
  { path: '/', name: 'landing' },
  { path: '/sign-in', name: 'sign-in' },
  { path: '/dashboard', name: 'dashboard' },
]) {
  test(`${path} explains that Clerk has no keys, the fix, and what works meanwhile`, async ({ page, origin }, testInfo) => {
    const response = await page.goto(path);
    // A configuration problem, as /api/health calls one; the address stays, nothing redirects to sign-in.
    expect(response?.status()).toBe(500);
    expect(page.url()).toBe(`${origin}${path}`);

    const explanation = page.getByTestId('clerk-unavailable');
    await expect(explanation.getByRole('heading', { level: 1 })).toHaveText('Sign-in is not set up yet');
    const alert = explanation.getByRole('alert');
    await expect(alert).toContainText('Neither NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY nor CLERK_SECRET_KEY is set');
    await expect(alert).toContainText('Clerk Dashboard → API keys');
    await expect(alert).toContainText('npx clerk@latest init');
    await expect(explanation).toContainText('npm run webhook -- send user.created');
    await expect(explanation).toContainText('npm run db -- users');
    await expect(explanation).toContainText('npm run doctor');

    // No page ran behind it: no Clerk form, no profile, no account navigation.
    await expect(page.getByTestId('auth-shell')).toHaveCount(0);
    await expect(page.getByTestId('profile')).toHaveCount(0);
    await expect(page.getByRole('navigation', { name: 'Account' })).toHaveCount(0);
    await page.screenshot({ path: testInfo.outputPath(`clerk-unavailable-${name}.png`), fullPage: true });
  });
}

test('/api/health answers its JSON, and the webhook receiver verifies and writes, without Clerk', async ({ page, origin }) => {
  const health = await page.request.get(`${origin}/api/health`);
  expect(health.status()).toBe(200);
  expect(await health.json()).toMatchObject({ ok: true, config: 'valid', db: 'up' });

  const user = clerkUser({ firstName: 'Offline' });
  expect(await deliverWebhook(origin, userCreatedEvent(user))).toEqual({ status: 200, outcome: 'applied' });
  expect(await storedUser(user.id)).toMatchObject({ clerkId: user.id, firstName: 'Offline', deletedAt: null });
});

test("the log says it once, not per request, and never with Clerk's own error", async ({ page, devServer }) => {
  for (const path of ['/', '/sign-in', '/dashboard']) await page.goto(path);
  const said = devServer.output().match(/Clerk cannot start: NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY and CLERK_SECRET_KEY are not set/g) ?? [];
  expect(said).toHaveLength(1);
  expect(devServer.output()).not.toContain('Clerk keys are missing');
});
