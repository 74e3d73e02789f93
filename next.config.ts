import type { NextConfig } from 'next';
import { authorizedPartiesFromEnv } from './lib/security/authorized-parties';
import { API_CONTENT_SECURITY_POLICY, AVATAR_HOST, baseSecurityHeaders } from './lib/security/headers';

// The middleware computes the same list from the same (build-time) env: a malformed APP_ORIGINS, or a
// production Clerk instance with no origin to admit, fails `next build` here rather than every request.
authorizedPartiesFromEnv();

const nextConfig: NextConfig = {
  poweredByHeader: false,
  // Lets tests and benchmarks build into their own folder beside a developer's .next.
  distDir: process.env.NEXT_DIST_DIR || '.next',
  // Pin the workspace root so a lockfile in a parent folder is never picked.
  turbopack: { root: __dirname },
  outputFileTracingRoot: __dirname,
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
    ];
  },
};

export default nextConfig;
