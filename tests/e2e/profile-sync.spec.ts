/**
 * The whole chain in a browser: Clerk (played by the tests) delivers signed
 * webhooks, the app stores the user in MongoDB, and the signed-in user's
 * dashboard shows exactly what is stored, through its whole life.
 */
import type { Page } from '@playwright/test';
import { clerkUser, userCreatedEvent, userDeletedEvent, userUpdatedEvent, type ClerkUserJsonFixture } from 'clerk-mongo-sync/testing';
import { deliverWebhook, registerInClerk, signInAs } from './support/clerk';
import { storedUser } from './support/database';
import { test, expect } from './support/test';

function newUser(): ClerkUserJsonFixture {
  // A distinct avatar per user, served by the stand-in for Clerk's image CDN.
  return clerkUser({ firstName: 'Ada', lastName: 'Lovelace', imageUrl: `https://img.clerk.com/avatar-${crypto.randomUUID()}` });
}

async function openDashboard(page: Page): Promise<void> {
  const response = await page.goto('/dashboard');
  expect(response?.status()).toBe(200);
  expect(new URL(page.url()).pathname).toBe('/dashboard');
}

async function expectProfileOnScreen(page: Page, expected: { name: string; email: string; imageUrl: string }): Promise<void> {
  await expect(page.getByTestId('profile-name')).toHaveText(expected.name);
  await expect(page.getByTestId('profile-email')).toHaveText(expected.email);
  const avatar = page.getByTestId('avatar');
  await expect(avatar).toHaveAttribute('src', expected.imageUrl);
  await expect(avatar).toHaveAttribute('alt', `Avatar of ${expected.name}`);
  // Loaded, not just referenced.
  await expect.poll(() => avatar.evaluate((image: HTMLImageElement) => image.complete && image.naturalWidth > 0)).toBe(true);
}

test('after a signed user.created, the dashboard shows the name, email and avatar stored in MongoDB', async ({ page, context, origin }) => {
  const user = newUser();
  expect(await deliverWebhook(origin, userCreatedEvent(user))).toEqual({ status: 200, outcome: 'applied' });

  const stored = await storedUser(user.id);
  expect(stored).toMatchObject({
    firstName: 'Ada',
    lastName: 'Lovelace',
    email: user.email_addresses[0]!.email_address,
    imageUrl: user.image_url,
    deletedAt: null,
  });

  await signInAs(context, { userId: user.id, origin });
  await openDashboard(page);
  await expectProfileOnScreen(page, {
    name: `${stored!.firstName} ${stored!.lastName}`,
    email: stored!.email!,
    imageUrl: stored!.imageUrl!,
  });
});

test('after a signed user.updated changes the first name, a reload shows the new name', async ({ page, context, origin }) => {
  const user = newUser();
  expect(await deliverWebhook(origin, userCreatedEvent(user))).toEqual({ status: 200, outcome: 'applied' });
  await signInAs(context, { userId: user.id, origin });
  await openDashboard(page);
  await expect(page.getByTestId('profile-name')).toHaveText('Ada Lovelace');

  const renamed = { ...user, first_name: 'Augusta', updated_at: user.updated_at + 60_000 };
  expect(await deliverWebhook(origin, userUpdatedEvent(renamed))).toEqual({ status: 200, outcome: 'applied' });
  expect(await storedUser(user.id)).toMatchObject({ firstName: 'Augusta' });

  await page.reload();
  await expectProfileOnScreen(page, { name: 'Augusta Lovelace', email: user.email_addresses[0]!.email_address, imageUrl: user.image_url });
});

test('after a signed user.deleted, the dashboard shows the account as removed', async ({ page, context, origin }) => {
  const user = newUser();
  expect(await deliverWebhook(origin, userCreatedEvent(user))).toEqual({ status: 200, outcome: 'applied' });
  await signInAs(context, { userId: user.id, origin });
  await openDashboard(page);
  await expect(page.getByTestId('profile')).toBeVisible();

  expect(await deliverWebhook(origin, userDeletedEvent(user.id))).toEqual({ status: 200, outcome: 'applied' });
  expect(await storedUser(user.id)).toMatchObject({ deletedAt: expect.any(Date), email: null, firstName: null });

  // The browser still holds a valid session token: Clerk's own session ending is a separate matter.
  await page.reload();
  await expect(page.getByTestId('account-deleted')).toBeVisible();
  await expect(page.getByTestId('profile')).toHaveCount(0);
  await expect(page.getByRole('main')).not.toContainText(user.email_addresses[0]!.email_address);
});

test('signed in before any webhook arrived, the dashboard fetches the user from Clerk just in time and shows the profile', async ({
  page,
  context,
  origin,
}) => {
  const user = newUser();
  await registerInClerk(user);
  expect(await storedUser(user.id)).toBeNull();

  await signInAs(context, { userId: user.id, origin });
  await openDashboard(page);
  await expectProfileOnScreen(page, { name: 'Ada Lovelace', email: user.email_addresses[0]!.email_address, imageUrl: user.image_url });
  expect(await storedUser(user.id)).toMatchObject({ firstName: 'Ada', version: user.updated_at, deletedAt: null });
});

test("signed in before any webhook arrived and unknown to Clerk's API (404), the dashboard says the account is being set up, then shows it", async ({
  page,
  context,
  origin,
}) => {
  const user = newUser();
  await signInAs(context, { userId: user.id, origin });
  await openDashboard(page);
  await expect(page.getByTestId('account-pending')).toBeVisible();
  await expect(page.getByTestId('profile')).toHaveCount(0);

  expect(await deliverWebhook(origin, userCreatedEvent(user))).toEqual({ status: 200, outcome: 'applied' });
  await page.reload();
  await expect(page.getByTestId('profile-name')).toHaveText('Ada Lovelace');
});
