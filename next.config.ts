import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  poweredByHeader: false,
  // Lets tests and benchmarks build into their own folder beside a developer's .next.
  distDir: process.env.NEXT_DIST_DIR || '.next',
  // Pin the workspace root so a lockfile in a parent folder is never picked.
  turbopack: { root: __dirname },
  outputFileTracingRoot: __dirname,
  images: {
    // Clerk serves avatars from img.clerk.com; tests serve them locally.
    remotePatterns: [{ protocol: 'https', hostname: 'img.clerk.com' }],
  },
};

export default nextConfig;
