import { clerkUser, userCreatedEvent, userUpdatedEvent, postWebhook, signWebhook } from 'clerk-mongo-sync/testing';
import { deliverWebhook, signInAs } from './support/clerk';
import { runSecrets } from '../../tools/clerk/run-secrets';
import { expect, test } from './support/test';

test.describe('/admin', () => {
  test('lists a delivery that was just sent, for an admin', async ({ page, context, origin }) => {
    const admin = clerkUser({ firstName: 'Grace', publicMetadata: { role: 'admin' } });
    expect(await deliverWebhook(origin, userCreatedEvent(admin))).toEqual({ status: 200, outcome: 'applied' });

    // The delivery to find: an update Svix just delivered, identified by its svix-id.
    const update = signWebhook(
      runSecrets().webhookSecret,
      userUpdatedEvent({ ...admin, first_name: 'Grace H.', updated_at: admin.updated_at + 1 }),
    );
    expect((await postWebhook(`${origin}/api/webhooks/clerk`, update)).status).toBe(200);

    await signInAs(context, { userId: admin.id, origin });
    const response = await page.goto('/admin');
    expect(response?.status()).toBe(200);
    await expect(page.getByRole('heading', { level: 1, name: 'Admin' })).toBeVisible();

    const row = page.locator(`tr[data-svix-id="${update.svixId}"]`);
    await expect(row).toBeVisible();
    await expect(row).toContainText('user.updated');
    await expect(row).toContainText('applied');
    await expect(row).toContainText(admin.id);
    await expect(page.locator('[data-outcome="applied"] dd')).not.toHaveText('0');
    await expect(page.getByRole('img', { name: /Deliveries per hour by outcome/ })).toBeVisible();
    await page.screenshot({ path: test.info().outputPath('admin.png'), fullPage: true });

    // The re-sync server action runs (admin-checked) and reports back; a malformed id never reaches Clerk.
    await page.getByLabel('Clerk user id').fill('sess_2notAUserId');
    await page.getByRole('button', { name: 'Re-sync from Clerk' }).click();
    await expect(page.getByRole('status')).toContainText('sess_2notAUserId: not a Clerk user id');
  });

  // A plain non-admin is covered by access.spec.ts; unsafe metadata is what a user can set from the browser.
  test('is not found for a user whose unsafe_metadata.role is "admin"', async ({ page, context, origin }) => {
    const user = clerkUser({ unsafeMetadata: { role: 'admin' } });
    expect(await deliverWebhook(origin, userCreatedEvent(user))).toEqual({ status: 200, outcome: 'applied' });
    await signInAs(context, { userId: user.id, origin });
    const response = await page.goto('/admin');
    expect(response?.status()).toBe(404);
    await expect(page.locator('tr[data-svix-id]')).toHaveCount(0);
  });
});
