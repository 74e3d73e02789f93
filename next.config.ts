import type { NextConfig } from 'next';
import { authorizedPartiesFromEnv } from './lib/security/authorized-parties';
import { API_CONTENT_SECURITY_POLICY, AVATAR_HOST, baseSecurityHeaders } from './lib/security/headers';

// The middleware computes the same list from the same (build-time) env: a malformed APP_ORIGINS, or a
// production Clerk instance with no origin to admit, fails `next build` here rather than every request.
authorizedPartiesFromEnv();

const nextConfig: NextConfig = {
  poweredByHeader: false,
  // `next dev` serves its scripts to localhost only unless told otherwise; the README's and the tools'
  // addresses include http://127.0.0.1:<port>, where the pages would otherwise stay blank.
  allowedDevOrigins: ['127.0.0.1', '[::1]'],
  // Lets tests and benchmarks build into their own folder beside a developer's .next.
  distDir: process.env.NEXT_DIST_DIR || '.next',
  // Pin the workspace root so a lockfile in a parent folder is never picked.
  turbopack: { root: __dirname },
  outputFileTracingRoot: __dirname,
  // Next answers a trailing slash with a 308 to the path without it. Svix counts
  // every 3xx as a failed delivery, and people paste the endpoint URL with one,
  // so the webhook is served at both spellings; every other path redirects as before.
  skipTrailingSlashRedirect: true,
  async redirects() {
    return [{ source: '/:path((?!api/webhooks/clerk/$).+)/', destination: '/:path', permanent: true }];
  },
  async rewrites() {
    return { beforeFiles: [{ source: '/api/webhooks/clerk/', destination: '/api/webhooks/clerk' }] };
  },
  // `route.bench.ts` files are routes only in the benchmark's own build (tools/bench/routes.ts).
  pageExtensions: ['tsx', 'ts', ...(process.env.BENCH_BUILD === '1' ? ['bench.ts'] : [])],
  images: {
    // Clerk serves avatars from img.clerk.com; tests serve them locally.
    remotePatterns: [{ protocol: 'https', hostname: AVATAR_HOST }],
  },
  // Pages also get Clerk's Content-Security-Policy from the middleware (middleware.ts); these reach every
  // response, the routes the middleware skips included.
  async headers() {
    return [
      { source: '/:path*', headers: baseSecurityHeaders({ production: process.env.NODE_ENV === 'production' }) },
      { source: '/api/webhooks/:path*', headers: [{ key: 'Content-Security-Policy', value: API_CONTENT_SECURITY_POLICY }] },
      { source: '/api/health', headers: [{ key: 'Content-Security-Policy', value: API_CONTENT_SECURITY_POLICY }] },
    ];
  },
};

export default nextConfig;
