import { clerkMiddleware, createRouteMatcher } from '@clerk/nextjs/server';

const isProtectedRoute = createRouteMatcher(['/dashboard(.*)', '/admin(.*)', '/assessments(.*)']);

export default clerkMiddleware(
  async (auth, request) => {
    if (isProtectedRoute(request)) await auth.protect();
  },
  // With the instance's PEM public key, session tokens verify locally instead
  // of fetching Clerk's JWKS. Inlined at build time, like all middleware env.
  { jwtKey: process.env.CLERK_JWT_KEY || undefined },
);

export const config = {
  matcher: [
    // Everything except Next internals, static files and the webhook receivers.
    // Webhooks carry no session: running Clerk's middleware there only costs
    // throughput, and Next's proxy would truncate bodies over 10 MB.
    '/((?!_next|api/webhooks(?:/|$)|[^?]*\\.(?:html?|css|js(?!on)|jpe?g|webp|png|gif|svg|ttf|woff2?|ico|csv|docx?|xlsx?|zip|webmanifest)).*)',
  ],
};
