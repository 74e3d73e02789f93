import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  poweredByHeader: false,
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
    remotePatterns: [{ protocol: 'https', hostname: 'img.clerk.com' }],
  },
};

export default nextConfig;
