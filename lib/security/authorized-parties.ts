/**
 * Which origins' session tokens the app accepts: Clerk's `authorizedParties`,
 * checked against a token's `azp` claim (the origin of the page Clerk's
 * frontend minted it on). Without it, a token minted on another origin of the
 * same Clerk instance — a compromised sibling subdomain, say — would be
 * accepted here.
 *
 * Pure, without Node APIs: the middleware (edge bundle) and next.config.ts
 * both use it. The middleware's env is fixed at build time, so the list is
 * the build's.
 */

/** The environment the list is computed from. */
export type AuthorizedPartySettings = {
  /** APP_ORIGINS: the app's origins, comma-separated (e.g. `https://app.example.com,https://www.example.com`). */
  appOrigins: string | undefined;
  /** Vercel's VERCEL_URL, VERCEL_BRANCH_URL and VERCEL_PROJECT_PRODUCTION_URL: host names, no scheme. */
  vercelHosts: readonly (string | undefined)[];
  /** NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: `pk_live_` is a production instance, `pk_test_` a development one. */
  publishableKey: string | undefined;
};

export type OriginList = { ok: true; origins: string[] } | { ok: false; invalid: string[] };

/** A comma-separated list of http(s) origins, each exactly `scheme://host[:port]` (a trailing slash is forgiven). */
export function parseOriginList(text: string | undefined): OriginList {
  const entries = (text ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  const origins = entries.map(originOf);
  const invalid = entries.filter((_, index) => origins[index] === undefined);
  return invalid.length > 0 ? { ok: false, invalid } : { ok: true, origins: unique(origins.filter((origin) => origin !== undefined)) };
}

/** What APP_ORIGINS must be, without the offending entries (safe to show where values must not be). */
export const ORIGINS_RULE = 'must be comma-separated origins like https://app.example.com (scheme and host, no path)';

function invalidOriginsMessage(invalid: readonly string[]): string {
  return `${ORIGINS_RULE}; not: ${invalid.join(', ')}`;
}

function originOf(entry: string): string | undefined {
  if (!URL.canParse(entry)) return undefined;
  const url = new URL(entry);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  // The URL parser lets a wildcard through as a host name; Clerk compares azp exactly, so it would never match.
  if (url.hostname.includes('*')) return undefined;
  // Anything beyond the origin (path, query, credentials) means the value is not what the setting asks for.
  return entry.replace(/\/$/, '').toLowerCase() === url.origin ? url.origin : undefined;
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

export class AuthorizedPartiesError extends Error {
  override name = 'AuthorizedPartiesError';
}

export type InstanceKind = 'production' | 'development';

export type AuthorizedParties = {
  instance: InstanceKind;
  /** The origins admitted on every request. */
  configured: string[];
};

/**
 * The origins from the environment, each variable read by its literal name:
 * that is what gets inlined into the middleware's bundle at build time.
 */
export function authorizedPartiesFromEnv(): AuthorizedParties {
  return authorizedPartiesFrom({
    appOrigins: process.env.APP_ORIGINS,
    vercelHosts: [process.env.VERCEL_URL, process.env.VERCEL_BRANCH_URL, process.env.VERCEL_PROJECT_PRODUCTION_URL],
    publishableKey: process.env.NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY,
  });
}

/**
 * The origins from these settings. Throws an `AuthorizedPartiesError`
 * (failing `next build`, see next.config.ts) when APP_ORIGINS is malformed, or
 * when a production instance would admit no origin: Clerk skips the `azp`
 * check when the list is empty, so that must never ship.
 */
export function authorizedPartiesFrom({ appOrigins, vercelHosts, publishableKey }: AuthorizedPartySettings): AuthorizedParties {
  const parsed = parseOriginList(appOrigins);
  if (!parsed.ok) {
    throw new AuthorizedPartiesError(`APP_ORIGINS ${invalidOriginsMessage(parsed.invalid)}`);
  }
  const vercelOrigins = vercelHosts.filter((host) => host?.trim()).map((host) => `https://${host?.trim().toLowerCase()}`);
  const configured = unique([...parsed.origins, ...vercelOrigins]);
  const instance: InstanceKind = publishableKey?.startsWith('pk_live_') ? 'production' : 'development';
  if (instance === 'production' && configured.length === 0) {
    throw new AuthorizedPartiesError(
      'APP_ORIGINS is required with a production Clerk instance (pk_live_…): set it to the origin(s) the app is served on, e.g. https://app.example.com',
    );
  }
  return { instance, configured };
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

export function isLoopbackOrigin(origin: string): boolean {
  return URL.canParse(origin) && LOOPBACK_HOSTS.has(new URL(origin).hostname);
}

/**
 * The origin the browser addressed, derived as Clerk derives it (first
 * X-Forwarded-Host / X-Forwarded-Proto, else Host and the URL's scheme): the
 * URL Next hands the middleware names `localhost` whatever the browser used.
 */
export function addressedOrigin(request: Pick<Request, 'url' | 'headers'>): string {
  const url = new URL(request.url);
  const first = (name: string) => request.headers.get(name)?.split(',')[0]?.trim() || undefined;
  const host = first('x-forwarded-host') ?? first('host');
  const protocol = first('x-forwarded-proto') ?? url.protocol.replace(/:$/, '');
  const candidate = host ? `${protocol}://${host}` : url.origin;
  return URL.canParse(candidate) ? new URL(candidate).origin : url.origin;
}

/**
 * The list for one request. A production instance admits its configured
 * origins only. A development instance also admits the loopback origin the
 * request came to (`next dev`, `next start` and the tests, on whatever port),
 * and, when nothing is configured, the request's own origin: a browser cannot
 * choose the Host it sends, so a token from any other origin is still refused.
 */
export function authorizedPartiesForRequest({ instance, configured }: AuthorizedParties, requestOrigin: string): string[] {
  if (instance === 'production') return configured;
  if (isLoopbackOrigin(requestOrigin) || configured.length === 0) return unique([...configured, requestOrigin]);
  return configured;
}
