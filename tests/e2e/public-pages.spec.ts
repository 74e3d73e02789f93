/**
 * What a signed-out visitor sees: the landing page and the pages where Clerk
 * mounts its sign-up and sign-in forms (Clerk's script cannot load here, so
 * the forms themselves never appear; the server-rendered shell must).
 */
import { test, expect } from './support/test';

test('the landing page explains the app and links to sign-up and sign-in', async ({ page }) => {
  const response = await page.goto('/');
  expect(response?.status()).toBe(200);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Your Clerk users, in your MongoDB.');

  const main = page.getByRole('main');
  await expect(main.getByRole('link', { name: 'Create an account' })).toHaveAttribute('href', '/sign-up');
  await expect(main.getByRole('link', { name: 'Sign in' })).toHaveAttribute('href', '/sign-in');
  await expect(main.getByRole('link', { name: 'Open your dashboard' })).toHaveCount(0);
});

for (const { name, path } of [
  { name: 'Create an account', path: '/sign-up' },
  { name: 'Sign in', path: '/sign-in' },
]) {
  test(`the landing page's "${name}" link opens ${path}`, async ({ page }) => {
    await page.goto('/');
    await page.getByRole('main').getByRole('link', { name }).click();
    await expect(page).toHaveURL(path);
    await expect(page.getByTestId('auth-shell')).toBeVisible();
  });
}

for (const { path, title } of [
  { path: '/sign-up', title: 'Sign up' },
  { path: '/sign-in', title: 'Sign in' },
]) {
  test(`${path} answers 200 with the shell Clerk's form mounts in`, async ({ page }) => {
    const response = await page.goto(path);
    expect(response?.status()).toBe(200);
    expect(page.url()).toMatch(new RegExp(`${path}$`));
    await expect(page).toHaveTitle(new RegExp(`^${title} · `));
    await expect(page.getByTestId('auth-shell')).toBeAttached();
  });
}

for (const { path, form } of [
  { path: '/sign-in', form: 'sign-in' },
  { path: '/sign-up', form: 'sign-up' },
]) {
  test(`${path} says the ${form} form could not load, and what to check, when Clerk's script cannot arrive`, async ({ page }) => {
    // Clerk's hosts are unreachable here: its loader gives up after its retries (about 10 s).
    test.setTimeout(60_000);
    await page.goto(path);
    // Within the page's content: Next's route announcer is an (empty) alert too.
    const alert = page.getByRole('main').getByRole('alert');
    await expect(alert).toContainText(`The ${form} form could not load.`, { timeout: 30_000 });
    await expect(alert).toContainText('NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY');
    await expect(page.getByText(`Loading the ${form} form…`)).toHaveCount(0);
  });
}

test("a first visit Clerk would send to its Frontend API, which cannot be reached, gets the app's explanation", async ({
  page,
  context,
  origin,
}) => {
  // No dev-browser cookie yet: Clerk's middleware would redirect to https://<frontend api>/v1/client/handshake,
  // a host this server (and the browser) cannot reach, and strand the browser on its error page.
  await context.clearCookies();
  const response = await page.goto('/dashboard');
  expect(response?.status()).toBe(503);
  expect(page.url()).toBe(`${origin}/dashboard`);
  const explanation = page.getByTestId('clerk-unavailable');
  await expect(explanation.getByRole('heading', { level: 1 })).toHaveText('Sign-in is unavailable: Clerk cannot be reached');
  await expect(explanation.getByRole('alert')).toContainText("this instance's Frontend API, does not answer");
  await expect(page.getByTestId('profile')).toHaveCount(0);
});
