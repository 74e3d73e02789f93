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
 *   token that verifies against CLERK_JWT_KEY (RS256, `sub`, `exp`, `nbf`,
 *   `iat`) whose `iss` is the publishable key's Frontend API — otherwise the
 *   SDK looks for suffixed cookies instead.
 * `sid`, `azp`, `v`, `fva` and `sts` are there because Clerk's tokens carry
 * them: `sts: "active"` keeps the session from counting as pending (signed out).
 */
import type { BrowserContext } from '@playwright/test';
import { importPKCS8, SignJWT } from 'jose';
import { clerkId, type ClerkUserJsonFixture } from '../../../tools/clerk/payloads';
import { TEST_CLERK_KEYS } from '../../../tools/harness/next-server';
import { postDelivery, signDelivery } from '../../../tools/clerk/svix';
import { runSecrets } from './run-secrets';

/** The Frontend API host a publishable key encodes: `pk_test_` + base64("<host>$"). */
export const FRONTEND_API_HOST = Buffer.from(TEST_CLERK_KEYS.NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY.replace(/^pk_(test|live)_/, ''), 'base64')
  .toString('utf8')
  .replace(/\$$/, '');

/** Clerk's JWT category header for session tokens. */
const SESSION_TOKEN_CATEGORY = 'cl_B7d4PD111AAA';
const INSTANCE_KEY_ID = 'ins_2abcTestInstance0000000000';
/** Clerk's own tokens live 60 s and are refreshed by its frontend script, which cannot load here; so ours last the test. */
const TOKEN_LIFETIME_S = 15 * 60;

type SessionOptions = {
  userId: string;
  sessionId?: string;
  /** The app's origin: where the cookies are set. */
  origin: string;
  /** The token's `azp`: the origin Clerk's frontend minted it on; the app's own unless a test says otherwise. */
  authorizedParty?: string;
};

export async function mintSessionToken({ userId, sessionId = clerkId('sess'), origin, authorizedParty = origin }: SessionOptions): Promise<string> {
  const key = await importPKCS8(runSecrets().jwtPrivateKey, 'RS256');
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ azp: authorizedParty, sid: sessionId, v: 2, fva: [0, -1], sts: 'active' })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: INSTANCE_KEY_ID, cat: SESSION_TOKEN_CATEGORY })
    .setSubject(userId)
    .setIssuer(`https://${FRONTEND_API_HOST}`)
    .setIssuedAt(now)
    .setNotBefore(now - 10)
    .setExpirationTime(now + TOKEN_LIFETIME_S)
    .setJti(clerkId('sess').replace('sess_', ''))
    .sign(key);
}

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
  const response = await postDelivery(`${origin}${path}`, signDelivery(runSecrets().webhookSecret, payload));
  const body = response.headers.get('content-type')?.includes('json') ? ((await response.json()) as { outcome: string }) : { outcome: '' };
  return { status: response.status, outcome: body.outcome };
}

/**
 * Makes `user` exist in Clerk's Backend API (the e2e server's local double),
 * so the app's just-in-time sync finds it; without this, the double answers 404.
 */
export async function registerInClerk(user: ClerkUserJsonFixture): Promise<void> {
  const port = process.env.E2E_CLERK_API_PORT;
  if (!port) throw new Error('E2E_CLERK_API_PORT is not set: run the e2e suite through tests/playwright.config.ts (npm run test:e2e).');
  const response = await fetch(`http://127.0.0.1:${port}/__double/users`, { method: 'POST', body: JSON.stringify(user) });
  if (!response.ok) throw new Error(`the Clerk API double refused the user: ${response.status}`);
}
