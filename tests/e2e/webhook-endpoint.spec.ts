/**
 * The webhook endpoint as Svix reaches it through the production server's
 * routing: Svix follows no redirect and counts every 3xx as a failed attempt.
 */
import { clerkUser, userCreatedEvent } from 'clerk-mongo-sync/testing';
import { deliverWebhook } from './support/clerk';
import { expect, test } from './support/test';

test('a delivery POSTed to the endpoint with a trailing slash, as people paste it, is applied, not redirected', async ({ origin }) => {
  expect(await deliverWebhook(origin, userCreatedEvent(clerkUser()), '/api/webhooks/clerk/')).toEqual({ status: 200, outcome: 'applied' });
});

test('pages with a trailing slash still redirect to the path without it', async ({ request }) => {
  for (const path of ['/dashboard/', '/sign-in/', '/api/health/']) {
    const response = await request.get(path, { maxRedirects: 0 });
    expect(response.status(), path).toBe(308);
    expect(response.headers().location, path).toBe(path.slice(0, -1));
  }
});

test('the production build has no benchmark-only route', async ({ request }) => {
  for (const path of ['/api/webhooks/bench-floor', '/api/webhooks/bench-seed-style', '/api/bench/naive-webhook']) {
    expect((await request.post(path, { data: '{}', maxRedirects: 0 })).status(), path).toBe(404);
  }
});

test('any other path under /api/webhooks is a 404 that names the endpoint, not a 500', async ({ request }) => {
  const response = await request.post('/api/webhooks/clerk-typo', { data: '{}', maxRedirects: 0 });
  expect(response.status()).toBe(404);
  expect(await response.json()).toEqual({ message: "no webhook endpoint here: Clerk's is /api/webhooks/clerk" });
});
