/**
 * A session token minted on another origin (its `azp`) — a compromised
 * sibling subdomain of the same Clerk instance, or another app on another
 * localhost port, whose cookies the browser shares with this one — counts as
 * signed out: on every protected page, in both server actions, and on the
 * public pages. Each test also shows the same user with a token of the app's
 * own origin getting in, so the `azp` is the only difference.
 */
import type { BrowserContext, Page } from '@playwright/test';
import { clerkUser, userCreatedEvent } from 'clerk-mongo-sync/testing';
import { deliverWebhook, signInAs } from './support/clerk';
import { storedAssessments } from './support/database';
import { expect, test } from './support/test';

/** Another origin of the same Clerk instance. */
const SIBLING_ORIGIN = 'https://compromised.example.test';

/** The same machine, another port: what a second local app's Clerk frontend would mint. */
function otherLocalOrigin(origin: string): string {
  const url = new URL(origin);
  url.port = String(Number(url.port) + 1);
  return url.origin;
}

/** A synced admin (role in public metadata), so every protected page would otherwise open. */
async function syncedAdmin(origin: string) {
  const admin = clerkUser({ firstName: 'Grace', publicMetadata: { role: 'admin' } });
  expect(await deliverWebhook(origin, userCreatedEvent(admin))).toEqual({ status: 200, outcome: 'applied' });
  return admin;
}

const PROTECTED_PAGES = ['/dashboard', '/admin', '/assessments', '/assessments/take/webhook-delivery'];

async function expectSentToSignIn(page: Page, origin: string, path: string): Promise<void> {
  const answered = page.waitForResponse(`${origin}${path}`);
  // Where the redirect leads may be Clerk's Account Portal, which the offline browser cannot load.
  await page.goto(path).catch(() => undefined);
  const redirect = await answered;
  expect([302, 303, 307, 308], `${path} answered ${redirect.status()}`).toContain(redirect.status());
  expect(new URL((await redirect.headerValue('location')) ?? '', origin).pathname).toBe('/sign-in');
}

for (const [name, foreignOrigin] of [
  ['a sibling origin', () => SIBLING_ORIGIN],
  ['another localhost port', otherLocalOrigin],
] as const) {
  test(`a token minted on ${name} is signed out on every protected page; the app's own token opens them`, async ({
    page,
    context,
    origin,
  }) => {
    const admin = await syncedAdmin(origin);

    await signInAs(context, { userId: admin.id, origin, authorizedParty: foreignOrigin(origin) });
    for (const path of PROTECTED_PAGES) await expectSentToSignIn(page, origin, path);

    await signInAs(context, { userId: admin.id, origin });
    for (const path of PROTECTED_PAGES) expect((await page.goto(path))?.status(), path).toBe(200);
  });
}

test('the landing page shows a foreign token signed out, and Clerk says why', async ({ page, context, origin }) => {
  const user = await syncedAdmin(origin);
  await signInAs(context, { userId: user.id, origin, authorizedParty: SIBLING_ORIGIN });

  const response = await page.goto('/');
  expect(await response?.headerValue('x-clerk-auth-status')).toBe('signed-out');
  expect(await response?.headerValue('x-clerk-auth-reason')).toBe('token-invalid-authorized-parties');
  const main = page.getByRole('main');
  await expect(main.getByRole('link', { name: 'Sign in' })).toBeVisible();
  await expect(main.getByRole('link', { name: 'Open your dashboard' })).toHaveCount(0);

  await signInAs(context, { userId: user.id, origin });
  await page.goto('/');
  await expect(main.getByRole('link', { name: 'Open your dashboard' })).toBeVisible();
});

/** The browser's session cookie replaced by a foreign one while a form is open, as a sibling origin could do. */
function switchToForeignToken(context: BrowserContext, userId: string, origin: string): Promise<void> {
  return signInAs(context, { userId, origin, authorizedParty: SIBLING_ORIGIN });
}

test('submitting an assessment with a foreign token stores nothing and leads to sign-in', async ({ page, context, origin }) => {
  const user = await syncedAdmin(origin);
  await signInAs(context, { userId: user.id, origin });
  await page.goto('/assessments/take/webhook-delivery');
  await expect(page.locator('fieldset')).toHaveCount(5);
  for (const question of await page.locator('fieldset').all()) await question.getByRole('radio').first().check();

  await switchToForeignToken(context, user.id, origin);
  await page.getByRole('button', { name: 'Submit answers' }).click();

  await expect(page).toHaveURL(/\/sign-in/);
  expect(await storedAssessments(user.id)).toEqual([]);
});

test("the admin's re-sync with a foreign token is not found and does not run", async ({ page, context, origin }) => {
  const admin = await syncedAdmin(origin);
  await signInAs(context, { userId: admin.id, origin });
  await page.goto('/admin');
  await page.getByLabel('Clerk user id').fill(admin.id);

  await switchToForeignToken(context, admin.id, origin);
  const answered = page.waitForResponse(
    (response) => response.request().method() === 'POST' && response.url().startsWith(`${origin}/admin`),
  );
  await page.getByRole('button', { name: 'Re-sync from Clerk' }).click();

  // requireAdmin's answer to anyone who is not a signed-in admin: /admin is not advertised.
  expect((await answered).status()).toBe(404);
  expect(new URL(page.url()).searchParams.get('resynced')).toBeNull();
  await expect(page.getByRole('status')).toHaveCount(0);
});
