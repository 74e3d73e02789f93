import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { ClerkProvider } from '@clerk/nextjs';
import { SiteHeader, SiteHeaderFrame } from '@/components/site-header';
import { clerkKeysFromEnv } from '@/lib/env/clerk-setup';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'clerk-mongo-sync', template: '%s · clerk-mongo-sync' },
  description: 'Sign up with Clerk; Clerk webhooks keep a MongoDB users collection in sync.',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  // Without usable keys ClerkProvider throws; the middleware then rewrites every page to app/clerk-unavailable,
  // which needs no Clerk, so that is the only page rendered here without it.
  if (!clerkKeysFromEnv().ok) {
    return (
      <html lang="en">
        <body>
          <SiteHeaderFrame />
          {children}
        </body>
      </html>
    );
  }
  return (
    // dynamic: Clerk's script tags carry the request's CSP nonce (middleware.ts); without it the strict policy blocks them.
    <ClerkProvider dynamic>
      <html lang="en">
        <body>
          <SiteHeader />
          {children}
        </body>
      </html>
    </ClerkProvider>
  );
}
