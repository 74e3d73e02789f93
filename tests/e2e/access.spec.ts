/**
 * Who gets where: the middleware sends signed-out browsers to sign-in, keeps
 * its hands off the webhook receiver, and /admin refuses a signed-in user who
 * is not an admin.
 */
import { clerkUser, userCreatedEvent } from 'clerk-mongo-sync/testing';
import { deliverWebhook, signInAs } from './support/clerk';
import { OUTSIDE_PAGE_TESTID, test, expect } from './support/test';

// Every protected page; the id is well-formed and unknown (a page of its own under the protected path).
for (const path of [
  '/dashboard',
  '/admin',
  '/assessments',
  '/team',
  '/assessments/take/webhook-delivery',
  `/assessments/${'0'.repeat(24)}`,
]) {
  test(`signed out, ${path} redirects toward sign-in, with the way back`, async ({ page, context, origin }) => {
    const answered = page.waitForResponse(`${origin}${path}`);
    // Where the redirect leads may be Clerk's Account Portal, which the offline browser cannot load.
    await page.goto(path).catch(() => undefined);
    const redirect = await answered;
    expect([302, 303, 307, 308]).toContain(redirect.status());

    const signIn = new URL((await redirect.headerValue('location')) ?? '', origin);
    expect(signIn.pathname).toBe('/sign-in');
    expect(signIn.searchParams.get('redirect_url')).toBe(`${origin}${path}`);
    // Without NEXT_PUBLIC_CLERK_SIGN_IN_URL that is the Account Portal: a stand-in page here. In a page of its
    // own, as the first one may still be committing Chromium's error page for the unreachable host.
    const signInPage = await context.newPage();
    await signInPage.goto(signIn.href);
    await expect(signInPage.getByTestId(signIn.origin === origin ? 'auth-shell' : OUTSIDE_PAGE_TESTID)).toBeVisible();
  });
}

test('the webhook endpoint is never redirected: GET is 405 and an unsigned POST is 400', async ({ page, origin }) => {
  const endpoint = `${origin}/api/webhooks/clerk`;
  // The browser itself navigates there (Chromium then shows its own error page: a 405 has no body).
  const answered = page.waitForResponse(endpoint);
  await page.goto(endpoint).catch(() => undefined);
  const get = await answered;
  expect(get.status()).toBe(405);
  expect(get.request().redirectedFrom()).toBeNull();

  const post = await page.request.post(endpoint, { data: { type: 'user.created' }, maxRedirects: 0 });
  expect(post.status()).toBe(400);
  expect(await post.json()).toMatchObject({ outcome: 'bad_signature' });
});

test('/admin refuses a signed-in user who is not an admin', async ({ page, context, origin }) => {
  const user = clerkUser();
  expect(await deliverWebhook(origin, userCreatedEvent(user))).toEqual({ status: 200, outcome: 'applied' });
  await signInAs(context, { userId: user.id, origin });

  const response = await page.goto('/admin');
  expect([403, 404]).toContain(response?.status());
  expect(new URL(page.url()).pathname).toBe('/admin');
  await expect(page.getByRole('heading', { name: 'Admin' })).toHaveCount(0);
});
