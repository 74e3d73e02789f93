import { describe, expect, it } from 'vitest';
import {
  addressedOrigin,
  AuthorizedPartiesError,
  authorizedPartiesForRequest,
  authorizedPartiesFrom,
  isLoopbackOrigin,
  parseOriginList,
  type AuthorizedParties,
  type AuthorizedPartySettings,
} from '@/lib/security/authorized-parties';
import { parseEnv } from '@/lib/env/schema';
import { TEST_CLERK_KEYS } from '../../tools/harness/next-server';

const LIVE_KEY = `pk_live_${Buffer.from('clerk.example.com$').toString('base64')}`;
const DEV_KEY = TEST_CLERK_KEYS.NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY;
const NO_VERCEL = [undefined, undefined, undefined];

function settings(overrides: Partial<AuthorizedPartySettings>): AuthorizedPartySettings {
  return { appOrigins: undefined, vercelHosts: NO_VERCEL, publishableKey: DEV_KEY, ...overrides };
}

describe('APP_ORIGINS', () => {
  it('reads comma-separated origins, trimmed, with a trailing slash forgiven and duplicates dropped', () => {
    expect(parseOriginList(' https://app.example.com/, https://www.example.com ,https://app.example.com,')).toEqual({
      ok: true,
      origins: ['https://app.example.com', 'https://www.example.com'],
    });
  });

  it('keeps a port and lower-cases the host, as browsers write an origin (and Clerk an azp)', () => {
    expect(parseOriginList('https://App.Example.com:8443')).toEqual({ ok: true, origins: ['https://app.example.com:8443'] });
  });

  it('is empty when unset or blank', () => {
    expect(parseOriginList(undefined)).toEqual({ ok: true, origins: [] });
    expect(parseOriginList(' , ')).toEqual({ ok: true, origins: [] });
  });

  for (const [what, entry] of [
    ['a bare host', 'app.example.com'],
    ['a path', 'https://app.example.com/app'],
    ['a query', 'https://app.example.com?x=1'],
    ['credentials', 'https://user:pw@app.example.com'],
    ['another scheme', 'ftp://app.example.com'],
    ['a wildcard', 'https://*.example.com'],
  ] as const) {
    it(`refuses ${what}, naming the entry`, () => {
      expect(parseOriginList(`https://ok.example.com,${entry}`)).toEqual({ ok: false, invalid: [entry] });
    });
  }

  it('is part of the parsed configuration, and a bad entry is reported with the variable name', () => {
    const MONGODB_URI = 'mongodb://127.0.0.1:27017/db';
    expect(parseEnv({ MONGODB_URI, APP_ORIGINS: 'https://app.example.com' }).APP_ORIGINS).toEqual(['https://app.example.com']);
    expect(parseEnv({ MONGODB_URI }).APP_ORIGINS).toEqual([]);
    expect(() => parseEnv({ MONGODB_URI, APP_ORIGINS: 'app.example.com' })).toThrow(
      /APP_ORIGINS must be comma-separated origins.*not: app\.example\.com/,
    );
  });
});

describe('authorized parties from the build environment', () => {
  it('admits the configured origins and, on Vercel, the deployment, branch and production URLs over https', () => {
    const parties = authorizedPartiesFrom(
      settings({
        appOrigins: 'https://app.example.com',
        vercelHosts: ['app-git-abc123-team.vercel.app', 'app-git-main-team.vercel.app', 'app.example.com'],
        publishableKey: LIVE_KEY,
      }),
    );
    expect(parties).toEqual({
      instance: 'production',
      configured: ['https://app.example.com', 'https://app-git-abc123-team.vercel.app', 'https://app-git-main-team.vercel.app'],
    });
  });

  it('fails the build for a production instance with no origin at all (Clerk would skip the azp check)', () => {
    expect(() => authorizedPartiesFrom(settings({ publishableKey: LIVE_KEY }))).toThrow(AuthorizedPartiesError);
    expect(() => authorizedPartiesFrom(settings({ publishableKey: LIVE_KEY }))).toThrow(
      /APP_ORIGINS is required with a production Clerk instance/,
    );
  });

  it('accepts a production instance configured by Vercel alone', () => {
    const parties = authorizedPartiesFrom(settings({ publishableKey: LIVE_KEY, vercelHosts: [undefined, undefined, 'app.example.com'] }));
    expect(parties.configured).toEqual(['https://app.example.com']);
  });

  it('fails the build on a malformed APP_ORIGINS, whatever the instance', () => {
    expect(() => authorizedPartiesFrom(settings({ appOrigins: 'app.example.com' }))).toThrow(
      /^APP_ORIGINS must be comma-separated origins/,
    );
  });

  it('treats a test publishable key (or none) as a development instance that needs no configuration', () => {
    expect(authorizedPartiesFrom(settings({}))).toEqual({ instance: 'development', configured: [] });
    expect(authorizedPartiesFrom(settings({ publishableKey: undefined })).instance).toBe('development');
  });
});

describe('authorized parties for one request', () => {
  const production: AuthorizedParties = { instance: 'production', configured: ['https://app.example.com'] };
  const development: AuthorizedParties = { instance: 'development', configured: ['https://staging.example.com'] };

  it('a production instance admits its configured origins only, even on a loopback request', () => {
    expect(authorizedPartiesForRequest(production, 'https://app.example.com')).toEqual(['https://app.example.com']);
    expect(authorizedPartiesForRequest(production, 'http://localhost:3000')).toEqual(['https://app.example.com']);
    expect(authorizedPartiesForRequest(production, 'https://evil.example.com')).toEqual(['https://app.example.com']);
  });

  it('a development instance also admits the loopback origin the request came to, on its own port only', () => {
    expect(authorizedPartiesForRequest(development, 'http://127.0.0.1:41234')).toEqual([
      'https://staging.example.com',
      'http://127.0.0.1:41234',
    ]);
    expect(authorizedPartiesForRequest(development, 'http://localhost:3000')).toEqual([
      'https://staging.example.com',
      'http://localhost:3000',
    ]);
  });

  it('a configured development instance does not admit another public origin the request claims', () => {
    expect(authorizedPartiesForRequest(development, 'https://sibling.example.com')).toEqual(['https://staging.example.com']);
  });

  it('an unconfigured development instance admits the origin it is served on, so the list is never empty', () => {
    expect(authorizedPartiesForRequest({ instance: 'development', configured: [] }, 'https://preview.example.net')).toEqual([
      'https://preview.example.net',
    ]);
  });

  it('knows loopback origins', () => {
    expect(['http://localhost:3000', 'http://127.0.0.1:1', 'http://[::1]:3000'].map(isLoopbackOrigin)).toEqual([true, true, true]);
    expect(['https://localhost.example.com', 'http://127.0.0.2:3000', 'not a url'].map(isLoopbackOrigin)).toEqual([false, false, false]);
  });
});

describe('the origin a request addressed', () => {
  const request = (url: string, headers: Record<string, string>) => ({ url, headers: new Headers(headers) });

  it('is the Host the browser sent, not the name Next gives the server', () => {
    expect(addressedOrigin(request('http://localhost:41234/dashboard', { host: '127.0.0.1:41234' }))).toBe('http://127.0.0.1:41234');
  });

  it("is a proxy's first forwarded host and scheme, as Clerk reads them", () => {
    const forwarded = { host: '10.0.0.5:3000', 'x-forwarded-host': 'app.example.com, proxy.internal', 'x-forwarded-proto': 'https,http' };
    expect(addressedOrigin(request('http://10.0.0.5:3000/', forwarded))).toBe('https://app.example.com');
  });

  it("falls back to the URL's origin without a usable Host", () => {
    expect(addressedOrigin(request('http://localhost:3000/', {}))).toBe('http://localhost:3000');
    expect(addressedOrigin(request('http://localhost:3000/', { host: 'bad host' }))).toBe('http://localhost:3000');
  });
});
