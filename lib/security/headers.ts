/**
 * The headers that keep browsers from misusing the app's responses. Pages get
 * Clerk's own strict Content-Security-Policy from `clerkMiddleware` (a nonce
 * per request and `strict-dynamic`, with Clerk's hosts already in it); every
 * response, including the routes the middleware skips, gets the rest from
 * next.config.ts. Pure: both the middleware and next.config.ts import it.
 */
import type { ClerkMiddlewareOptions } from '@clerk/nextjs/server';

type ContentSecurityPolicyOptions = NonNullable<ClerkMiddlewareOptions['contentSecurityPolicy']>;

/** Where Clerk serves user avatars (`image_url`), shown on the dashboard; also next.config's image host. */
export const AVATAR_HOST = 'img.clerk.com';

/**
 * Added to Clerk's directives. Only tightening, besides the avatar host (which
 * Clerk's defaults hold today; named here so the dashboard does not depend on
 * that): no framing (clickjacking of /admin's form), no plugins, and no
 * `<base>` that would point the page's nonced relative scripts elsewhere.
 */
export const contentSecurityPolicy: ContentSecurityPolicyOptions = {
  strict: true,
  directives: {
    'img-src': [`https://${AVATAR_HOST}`],
    'frame-ancestors': ["'none'"],
    'object-src': ["'none'"],
    'base-uri': ["'self'"],
  },
};

export type Header = { key: string; value: string };

/** Two years, subdomains included: what HSTS preload lists ask for, without opting into them. */
const HSTS = 'max-age=63072000; includeSubDomains';

/** For every response. HSTS only from production builds: over plain HTTP browsers ignore it, and `next dev` must not pin localhost. */
export function baseSecurityHeaders({ production }: { production: boolean }): Header[] {
  return [
    { key: 'X-Content-Type-Options', value: 'nosniff' },
    { key: 'Referrer-Policy', value: 'strict-origin-when-cross-origin' },
    // frame-ancestors' predecessor, for responses without a page CSP and for older browsers.
    { key: 'X-Frame-Options', value: 'DENY' },
    ...(production ? [{ key: 'Strict-Transport-Security', value: HSTS }] : []),
  ];
}

/** For the JSON routes the middleware skips (webhooks, health): nothing in them may load or be framed. */
export const API_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'";

/**
 * For the page shown while Clerk cannot work (middleware.ts), which Clerk's middleware does not answer, so
 * Clerk's policy is not there: static text without user input or Clerk's scripts, so no script policy, but
 * no framing, plugins, foreign `<base>` or form targets either.
 */
export const CLERK_UNAVAILABLE_CONTENT_SECURITY_POLICY = "frame-ancestors 'none'; object-src 'none'; base-uri 'self'; form-action 'self'";
