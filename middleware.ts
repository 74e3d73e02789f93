import { clerkMiddleware } from '@clerk/nextjs/server';
import { NextRequest, NextResponse, type NextFetchEvent } from 'next/server';
import {
  clerkKeysFromEnv,
  clerkProblemStatus,
  clerkUnavailablePath,
  describeClerkProblem,
  isReachable,
  type ClerkProblem,
} from '@/lib/env/clerk-setup';
import { addressedOrigin, authorizedPartiesForRequest, authorizedPartiesFromEnv } from '@/lib/security/authorized-parties';
import { CLERK_UNAVAILABLE_CONTENT_SECURITY_POLICY, contentSecurityPolicy } from '@/lib/security/headers';

// From the build's env (inlined into this bundle); next.config.ts fails `next build` when it is unusable.
const authorizedParties = authorizedPartiesFromEnv();
// The same variables Clerk's middleware reads, from the same bundle: Clerk throws on every request without usable keys.
const clerkKeys = clerkKeysFromEnv();

/** Signed-out visitors are sent to sign-in from these paths and everything under them. */
const PROTECTED_PATHS = ['/dashboard', '/admin', '/assessments', '/team'];

function isProtectedPath(pathname: string): boolean {
  return PROTECTED_PATHS.some((path) => pathname === path || pathname.startsWith(`${path}/`));
}

/**
 * A server action's POST (Next's client marks it with Next-Action). Clerk's
 * protect() does not recognise Next 16's action requests and answers them
 * with a not-found rewrite, which the client reports as a missing action; the
 * action's own check answers them as Next expects (a redirect to sign-in).
 */
function isServerAction(request: Request): boolean {
  return request.method === 'POST' && request.headers.has('next-action');
}

/** Requests asked again because Clerk's Frontend API does not answer (see `middleware`), with that API's host. */
const unreachableFrontendApi = new WeakMap<Request, string>();

const withClerk = clerkMiddleware(
  // The redirect to sign-in only; each page and server action checks the session (and /admin the role) itself.
  async (auth, request) => {
    const frontendApi = unreachableFrontendApi.get(request);
    if (frontendApi) return clerkUnavailable(request, { problem: 'unreachable', frontendApi });
    if (isProtectedPath(request.nextUrl.pathname) && !isServerAction(request)) await auth.protect();
  },
  (request) => ({
    // With the instance's PEM public key, session tokens verify locally instead of fetching Clerk's JWKS.
    jwtKey: process.env.CLERK_JWT_KEY || undefined,
    // A token whose `azp` is not one of these origins counts as signed out.
    authorizedParties: authorizedPartiesForRequest(authorizedParties, addressedOrigin(request)),
    contentSecurityPolicy,
  }),
);

/**
 * Clerk's middleware, unless Clerk cannot work. Without usable keys it would
 * throw on every request: every page shows the app's explanation instead, and
 * no page runs (so none treats the visitor as signed in or shows data). When
 * Clerk would send the browser to a Frontend API that does not answer (its
 * "handshake"), the browser would be left on its own error page: Clerk is
 * asked again as for a request it cannot redirect, so it decides locally
 * (signed out, unless a session token verifies without Clerk's servers), and
 * the page shows the explanation. The routes that need no Clerk (health,
 * webhooks) are outside this middleware altogether.
 */
export default async function middleware(request: NextRequest, event: NextFetchEvent) {
  if (!clerkKeys.ok) return clerkUnavailable(request, clerkKeys);
  const response = await withClerk(request, event);
  if (!isHandshakeTo(response, clerkKeys.frontendApi) || (await isReachable(`https://${clerkKeys.frontendApi}/`))) return response;
  const again = new NextRequest(request, { headers: notRedirectable(request.headers) });
  unreachableFrontendApi.set(again, clerkKeys.frontendApi);
  return withClerk(again, event);
}

/** Clerk redirects only document navigations (`Sec-Fetch-Dest: document`, or an HTML Accept without it). */
function notRedirectable(headers: Headers): Headers {
  const copy = new Headers(headers);
  copy.set('sec-fetch-dest', 'empty');
  return copy;
}

/** Clerk sending the browser to its Frontend API to refresh or establish the session (the "handshake"). */
function isHandshakeTo(response: Response | null | undefined | void, frontendApi: string): boolean {
  const location = response?.headers.get('location');
  return Boolean(location && URL.canParse(location) && new URL(location).hostname === frontendApi);
}

let reported: ClerkProblem['problem'] | undefined;

/** Pages render the explanation (the URL stays); anything else gets it as JSON. Said in the log once, not per request. */
function clerkUnavailable(request: NextRequest, problem: ClerkProblem): NextResponse {
  if (reported !== problem.problem) {
    console.warn(`${describeClerkProblem(problem)} Every page shows this; /api/health and the webhook receiver work as before.`);
  }
  reported = problem.problem;
  const status = clerkProblemStatus(problem);
  const isPage = (request.method === 'GET' || request.method === 'HEAD') && !request.nextUrl.pathname.startsWith('/api/');
  if (!isPage) return NextResponse.json({ message: describeClerkProblem(problem) }, { status, headers: { 'Cache-Control': 'no-store' } });
  const response = NextResponse.rewrite(new URL(clerkUnavailablePath(problem), request.url), { status });
  response.headers.set('Content-Security-Policy', CLERK_UNAVAILABLE_CONTENT_SECURITY_POLICY);
  response.headers.set('Cache-Control', 'no-store');
  return response;
}

export const config = {
  matcher: [
    // Everything except Next internals, static files, the webhook receivers and the health check.
    // Webhooks carry no session: running Clerk's middleware there only costs throughput, and Next's
    // proxy would truncate bodies over 10 MB. Neither needs Clerk, so neither fails when Clerk does.
    '/((?!_next|api/webhooks(?:/|$)|api/health(?:/|$)|[^?]*\\.(?:html?|css|js(?!on)|jpe?g|webp|png|gif|svg|ttf|woff2?|ico|csv|docx?|xlsx?|zip|webmanifest)).*)',
  ],
};
