/**
 * The tests acting as Clerk, in the two places Clerk's cloud touches the app:
 * - Svix delivering signed webhooks to /api/webhooks/clerk;
 * - Clerk's frontend leaving a signed-in (or signed-out) browser with the
 *   cookies of a development instance: `__session` (a session token signed
 *   with the instance's private key), `__client_uat` and `__clerk_db_jwt`.
 *
 * What clerkMiddleware needs (@clerk/backend `authenticateRequest`, dev
 * instance, token in a cookie) so it decides locally, without a handshake
 * redirect to the Frontend API:
 * - a dev-browser token (`__clerk_db_jwt`); without it every page navigation
 *   is sent to `https://<frontend api>/v1/client/handshake`;
 * - signed out: `__client_uat=0` and no `__session`;
 * - signed in: `__client_uat` > 0 and not newer than the token's `iat`, and a
 *   session token (tools/clerk/session-tokens.ts).
 */
import type { BrowserContext } from '@playwright/test';
import { clerkId, type ClerkMembershipJsonFixture, type ClerkUserJsonFixture, postWebhook, signWebhook } from 'clerk-mongo-sync/testing';
import { runSecrets } from '../../../tools/clerk/run-secrets';
import { mintSessionToken, type SessionOptions } from '../../../tools/clerk/session-tokens';

function cookie(origin: string, name: string, value: string) {
  return { name, value, url: origin, sameSite: 'Lax' as const };
}

/** A signed-out browser of a development instance, as Clerk's frontend leaves it after its first handshake. */
export async function asSignedOutBrowser(context: BrowserContext, origin: string): Promise<void> {
  await context.addCookies([cookie(origin, '__clerk_db_jwt', clerkId('dvb')), cookie(origin, '__client_uat', '0')]);
}

/** The browser signed in as `userId`: a fresh session, its token and the client's last-update time. */
export async function signInAs(context: BrowserContext, options: SessionOptions): Promise<void> {
  const token = await mintSessionToken(options);
  const clientUpdatedAt = Math.floor(Date.now() / 1000) - 1;
  await context.addCookies([
    cookie(options.origin, '__clerk_db_jwt', clerkId('dvb')),
    cookie(options.origin, '__client_uat', String(clientUpdatedAt)),
    cookie(options.origin, '__session', token),
  ]);
}

export type WebhookAnswer = { status: number; outcome: string };

/** Svix delivering `payload`, signed with this run's webhook secret, to the running app (at `path`, the endpoint by default). */
export async function deliverWebhook(origin: string, payload: unknown, path = '/api/webhooks/clerk'): Promise<WebhookAnswer> {
  const response = await postWebhook(`${origin}${path}`, signWebhook(runSecrets().webhookSecret, payload));
  const body = response.headers.get('content-type')?.includes('json') ? ((await response.json()) as { outcome: string }) : { outcome: '' };
  return { status: response.status, outcome: body.outcome };
}

/**
 * Makes `user` exist in Clerk's Backend API (the e2e server's local double),
 * so the app's just-in-time sync finds it; without this, the double answers 404.
 */
export function registerInClerk(user: ClerkUserJsonFixture): Promise<void> {
  return putIntoClerk('users', user);
}

/** Makes a membership (and the organization it embeds) exist in Clerk's Backend API double, for the just-in-time sync of /team. */
export function registerMembershipInClerk(membership: ClerkMembershipJsonFixture): Promise<void> {
  return putIntoClerk('memberships', membership);
}

async function putIntoClerk(what: 'users' | 'memberships', json: unknown): Promise<void> {
  const port = process.env.E2E_CLERK_API_PORT;
  if (!port) throw new Error('E2E_CLERK_API_PORT is not set: run the e2e suite through tests/playwright.config.ts (npm run test:e2e).');
  const response = await fetch(`http://127.0.0.1:${port}/__double/${what}`, { method: 'POST', body: JSON.stringify(json) });
  if (!response.ok) throw new Error(`the Clerk API double refused the ${what}: ${response.status}`);
}
