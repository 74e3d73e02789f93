/**
 * What the browser is told about each response: pages carry Clerk's strict,
 * nonce-based Content-Security-Policy (a policy violation in any page fails
 * its test, as every console error does: tests/e2e/support/test.ts), and
 * every response — the webhook receiver's included, which the middleware
 * skips — refuses sniffing and framing, trims referrers and pins HTTPS.
 */
import type { APIResponse, Response } from '@playwright/test';
import { clerkUser, userCreatedEvent } from 'clerk-mongo-sync/testing';
import { asSignedOutBrowser, deliverWebhook, signInAs } from './support/clerk';
import { FRONTEND_API_HOST } from '../../tools/clerk/session-tokens';
import { expect, test } from './support/test';

type Answer = Response | APIResponse;

function header(answer: Answer, name: string): string | undefined {
  return answer.headers()[name.toLowerCase()];
}

/** The response's policy, directive name → sources. */
function policyOf(answer: Answer, name = 'Content-Security-Policy'): Map<string, string[]> {
  const value = header(answer, name) ?? '';
  return new Map(
    value
      .split(';')
      .map((directive) => directive.trim().split(/\s+/))
      .filter(([directive]) => directive)
      .map(([directive = '', ...sources]) => [directive, sources]),
  );
}

function expectSafeHeaders(answer: Answer): void {
  expect(header(answer, 'X-Content-Type-Options')).toBe('nosniff');
  expect(header(answer, 'Referrer-Policy')).toBe('strict-origin-when-cross-origin');
  expect(header(answer, 'X-Frame-Options')).toBe('DENY');
  // The suite runs the production build; browsers ignore the header over plain HTTP, as here.
  expect(header(answer, 'Strict-Transport-Security')).toBe('max-age=63072000; includeSubDomains');
}

/** Clerk's strict policy with our additions; returns the response's script nonce. */
function expectStrictPagePolicy(answer: Answer): string {
  const policy = policyOf(answer);
  const scripts = policy.get('script-src') ?? [];
  expect(scripts).toContain("'strict-dynamic'");
  expect(scripts).not.toContain('https:');
  expect(scripts).not.toContain("'unsafe-eval'");
  expect(policy.get('frame-ancestors')).toEqual(["'none'"]);
  expect(policy.get('object-src')).toEqual(["'none'"]);
  expect(policy.get('base-uri')).toEqual(["'self'"]);
  expect(policy.get('default-src')).toEqual(["'self'"]);
  expect(policy.get('form-action')).toEqual(["'self'"]);
  expect(policy.get('img-src')).toEqual(["'self'", 'https://img.clerk.com']);
  expect(policy.get('connect-src')).toContain(FRONTEND_API_HOST);
  const nonces = scripts.filter((source) => /^'nonce-.+'$/.test(source));
  expect(nonces).toHaveLength(1);
  return nonces[0]!.slice("'nonce-".length, -1);
}

test('the landing page has a fresh nonce per response, carried by every script it runs', async ({ page }) => {
  const first = await page.goto('/');
  expect(first?.status()).toBe(200);
  const nonce = expectStrictPagePolicy(first!);
  expectSafeHeaders(first!);
  // Every script tag in the server's HTML carries it, Clerk's own from the Frontend API included (ClerkProvider's
  // `dynamic`); scripts those insert run by 'strict-dynamic'.
  const scriptTags = (await first!.text()).match(/<script\b[^>]*>/g) ?? [];
  expect(scriptTags.length).toBeGreaterThan(0);
  expect(scriptTags.filter((tag) => !tag.includes(` nonce="${nonce}"`))).toEqual([]);
  expect(scriptTags.filter((tag) => tag.includes(`src="https://${FRONTEND_API_HOST}/`))).toHaveLength(1);

  const second = await page.goto('/');
  expect(expectStrictPagePolicy(second!)).not.toBe(nonce);
});

test('/admin, with its data-changing form, has the strict policy and cannot be framed', async ({ page, context, origin }) => {
  const admin = clerkUser({ publicMetadata: { role: 'admin' } });
  expect(await deliverWebhook(origin, userCreatedEvent(admin))).toEqual({ status: 200, outcome: 'applied' });
  await signInAs(context, { userId: admin.id, origin });

  const response = await page.goto('/admin');
  expect(response?.status()).toBe(200);
  await expect(page.getByRole('heading', { level: 1, name: 'Admin' })).toBeVisible();
  expectStrictPagePolicy(response!);
  expectSafeHeaders(response!);
});

test('the webhook receiver (outside the middleware) sends the safe headers and a policy that allows nothing', async ({
  request,
  origin,
}) => {
  const response = await request.post(`${origin}/api/webhooks/clerk`, { data: { type: 'user.created' }, maxRedirects: 0 });
  expect(response.status()).toBe(400);
  expectSafeHeaders(response);
  expect(policyOf(response)).toEqual(
    new Map([
      ['default-src', ["'none'"]],
      ['frame-ancestors', ["'none'"]],
    ]),
  );
});

test('the health check sends the safe headers', async ({ request, origin }) => {
  const response = await request.get(`${origin}/api/health`);
  expect(response.status()).toBe(200);
  expectSafeHeaders(response);
  expect(policyOf(response).get('frame-ancestors')).toEqual(["'none'"]);
});

// Its own browser context: the refusal is a console error, which the suite's `page` would (rightly) fail on.
test('a page that frames the app gets an empty frame, and the browser reports the policy', async ({ browser, origin }) => {
  const context = await browser.newContext();
  try {
    await asSignedOutBrowser(context, origin);
    const page = await context.newPage();
    const refusals: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' && message.text().includes('frame-ancestors')) refusals.push(message.text());
    });
    // A page of the app's own origin whose policy lets it frame its own origin (Clerk's `frame-src 'self'`), so
    // the frame's own `frame-ancestors` is what refuses; the JSON routes' `default-src 'none'` frames nothing.
    await page.goto(`${origin}/`);
    await page.setContent(`<iframe src="${origin}/" title="framed"></iframe>`);
    await expect.poll(() => refusals.length).toBeGreaterThan(0);
    await expect(page.frameLocator('iframe').getByRole('heading', { level: 1 })).toHaveCount(0);
  } finally {
    await context.close();
  }
});
