/**
 * Presence in the browser: a signed-in page reports activity to the
 * heartbeat route (authenticated by the Clerk session), the People page shows
 * who is online as of now and keeps itself current without a reload, and the
 * dashboard shows the user's own status.
 */
import type { Page } from '@playwright/test';
import { formatDate } from '@/components/format-date';
import { DEFAULT_PRESENCE_WINDOW_SECONDS } from '@/lib/env/schema';
import { clerkId, clerkUser, sessionEvent, userCreatedEvent } from 'clerk-mongo-sync/testing';
import { deliverWebhook, signInAs } from './support/clerk';
import { setLastSeen, storedUser } from './support/database';
import { test, expect } from './support/test';

const HEARTBEAT = '/api/presence/heartbeat';
/** The e2e server runs with the default window. */
const WINDOW_MS = DEFAULT_PRESENCE_WINDOW_SECONDS * 1000;

async function syncedUser(origin: string, firstName: string) {
  const user = clerkUser({ firstName, lastName: 'Tester' });
  expect(await deliverWebhook(origin, userCreatedEvent(user))).toEqual({ status: 200, outcome: 'applied' });
  return user;
}

function personRow(page: Page, userId: string) {
  return page.locator(`[data-person="${userId}"]`);
}

test('signed in, the People page shows me online; another user drops to "last seen" once their activity is older than the window, without a reload', async ({
  page,
  context,
  origin,
}) => {
  const me = await syncedUser(origin, 'Grace');
  const other = await syncedUser(origin, 'Alan');
  expect(await deliverWebhook(origin, sessionEvent('session.created', { userId: other.id, sessionId: clerkId('sess') }))).toEqual({
    status: 200,
    outcome: 'applied',
  });

  await signInAs(context, { userId: me.id, origin });
  const response = await page.goto('/people');
  expect(response?.status()).toBe(200);
  const mine = personRow(page, me.id);
  const theirs = personRow(page, other.id);
  await expect(mine).toContainText('Grace Tester (you)');
  await expect(mine.getByTestId('person-presence')).toHaveText('online');
  await expect(theirs.getByTestId('person-presence')).toHaveText('online');
  await page.evaluate(() => Object.assign(window, { presenceTestNoReload: true }));

  // Time passes for the other user only: as if idle for a minute longer than the window.
  const idleSince = new Date(Date.now() - WINDOW_MS - 60_000);
  await setLastSeen(other.id, idleSince);

  // The page polls every 10 s while visible.
  await expect(theirs.getByTestId('person-presence')).toHaveText(`offline · last seen ${formatDate(idleSince)}`, { timeout: 30_000 });
  await expect(mine.getByTestId('person-presence')).toHaveText('online');
  expect(await page.evaluate(() => 'presenceTestNoReload' in window)).toBe(true);
  // The reader corrected the stored flag on the way.
  expect(await storedUser(other.id)).toMatchObject({ isOnline: false, lastSeen: idleSince });
});

test('signed in with no session webhook at all, my dashboard shows me online, last seen now', async ({ page, context, origin }) => {
  const me = await syncedUser(origin, 'Ada');
  await signInAs(context, { userId: me.id, origin });
  const before = Date.now();
  const response = await page.goto('/dashboard');
  expect(response?.status()).toBe(200);
  await expect(page.getByTestId('profile-presence')).toHaveText('online');
  await expect(page.getByTestId('profile-last-seen')).not.toHaveText('—');
  const stored = await storedUser(me.id);
  expect(stored).toMatchObject({ isOnline: true });
  expect(stored!.lastSeen!.getTime()).toBeGreaterThanOrEqual(before - 1_000);
});

test('a signed-in page sends heartbeats to the session-authenticated route; a signed-out visitor has none, and the route refuses them', async ({
  page,
  context,
  origin,
}) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await expect(page.locator('[data-presence-heartbeat]')).toHaveCount(0);
  const signedOut = await page.request.post(HEARTBEAT, { maxRedirects: 0 });
  expect(signedOut.status()).toBe(401);
  expect(await signedOut.json()).toEqual({ outcome: 'signed_out' });

  const me = await syncedUser(origin, 'Katherine');
  await signInAs(context, { userId: me.id, origin });
  const beat = page.waitForResponse((answer) => new URL(answer.url()).pathname === HEARTBEAT && answer.request().method() === 'POST');
  await page.goto('/assessments');
  await expect(page.locator('[data-presence-heartbeat]')).toHaveCount(1);
  expect((await beat).status()).toBe(200);
  // That first beat wrote (this page does not record the view itself); within 30 s, the next ones are throttled.
  expect(await storedUser(me.id)).toMatchObject({ isOnline: true, lastSeen: expect.any(Date) });
  const again = await page.request.post(HEARTBEAT);
  expect(await again.json()).toEqual({ outcome: 'throttled' });
});

test('signed out, /people redirects toward sign-in', async ({ page, origin }) => {
  const answered = page.waitForResponse(`${origin}/people`);
  await page.goto('/people').catch(() => undefined);
  const redirect = await answered;
  expect([302, 303, 307, 308]).toContain(redirect.status());
  expect(new URL((await redirect.headerValue('location')) ?? '', origin).pathname).toBe('/sign-in');
});
