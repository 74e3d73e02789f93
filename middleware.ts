import { clerkMiddleware } from '@clerk/nextjs/server';
import { addressedOrigin, authorizedPartiesForRequest, authorizedPartiesFromEnv } from '@/lib/security/authorized-parties';
import { contentSecurityPolicy } from '@/lib/security/headers';

// From the build's env (inlined into this bundle); next.config.ts fails `next build` when it is unusable.
const authorizedParties = authorizedPartiesFromEnv();

/** Signed-out visitors are sent to sign-in from these paths and everything under them. */
const PROTECTED_PATHS = ['/dashboard', '/admin', '/assessments'];

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

export default clerkMiddleware(
  // The redirect to sign-in only; each page and server action checks the session (and /admin the role) itself.
  async (auth, request) => {
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

export const config = {
  matcher: [
    // Everything except Next internals, static files and the webhook receivers.
    // Webhooks carry no session: running Clerk's middleware there only costs
    // throughput, and Next's proxy would truncate bodies over 10 MB.
    '/((?!_next|api/webhooks(?:/|$)|[^?]*\\.(?:html?|css|js(?!on)|jpe?g|webp|png|gif|svg|ttf|woff2?|ico|csv|docx?|xlsx?|zip|webmanifest)).*)',
  ],
};
