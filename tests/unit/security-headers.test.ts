import { describe, expect, it } from 'vitest';
import { baseSecurityHeaders, contentSecurityPolicy } from '@/lib/security/headers';

// The policy Clerk builds from these options is asserted on real responses in tests/e2e/security-headers.spec.ts.
describe("our additions to Clerk's Content-Security-Policy", () => {
  it("asks for Clerk's strict policy (a nonce per request and strict-dynamic)", () => {
    expect(contentSecurityPolicy.strict).toBe(true);
    expect(contentSecurityPolicy.reportOnly).toBeUndefined();
  });

  it('add only the avatar host as a source, and otherwise only tighten', () => {
    expect(contentSecurityPolicy.directives).toEqual({
      'img-src': ['https://img.clerk.com'],
      'frame-ancestors': ["'none'"],
      'object-src': ["'none'"],
      'base-uri': ["'self'"],
    });
  });
});

describe('headers on every response', () => {
  const byName = (production: boolean) => new Map(baseSecurityHeaders({ production }).map(({ key, value }) => [key, value]));

  it('forbid sniffing and framing, and trim the referrer sent to other origins', () => {
    const headers = byName(true);
    expect(headers.get('X-Content-Type-Options')).toBe('nosniff');
    expect(headers.get('Referrer-Policy')).toBe('strict-origin-when-cross-origin');
    expect(headers.get('X-Frame-Options')).toBe('DENY');
  });

  it('pin HTTPS in production builds only', () => {
    expect(byName(true).get('Strict-Transport-Security')).toBe('max-age=63072000; includeSubDomains');
    expect(byName(false).has('Strict-Transport-Security')).toBe(false);
  });
});
