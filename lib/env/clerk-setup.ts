/**
 * Can Clerk work here? Decided before Clerk is asked: without usable keys
 * `clerkMiddleware` and `<ClerkProvider>` throw on every request (since
 * @clerk/nextjs 7.8, missing keys no longer start keyless mode; Clerk's error
 * asks for `npx clerk@latest init`), and a handshake redirect to a Frontend
 * API nobody can reach strands the browser. The middleware then shows the
 * app's explanation instead (middleware.ts); doctor and `npm run dev` judge
 * the keys with the same rules. Pure and without Node APIs: the middleware's
 * bundle uses it too. Never puts a key's value into a message.
 */

export type ClerkInstance = 'development' | 'production';

/** Why Clerk cannot work: what the explanation page, the log line and the JSON answer describe. */
export type ClerkProblem =
  /** Neither key is set. */
  | { problem: 'missing' }
  /** Set, but Clerk cannot use them: one of the two, a wrong shape, or keys of two instances. One line per broken rule. */
  | { problem: 'malformed'; rules: string[] }
  /** Usable keys, but the instance's Frontend API does not answer this server. */
  | { problem: 'unreachable'; frontendApi: string };

export type ClerkKeysCheck =
  | { ok: true; instance: ClerkInstance; frontendApi: string; secretKey: string }
  | ({ ok: false } & Exclude<ClerkProblem, { problem: 'unreachable' }>);

export type ClerkKeyVariables = { publishableKey: string | undefined; secretKey: string | undefined };

/** Where both keys come from, as one instruction. */
export const CLERK_KEYS_SOURCE =
  'copy both keys from the same instance: Clerk Dashboard → API keys (Development: pk_test/sk_test, Production: pk_live/sk_live)';

/** What gets an app without keys going, with internet and without a Clerk account (Clerk's accountless set-up). */
export const CLERK_INIT_COMMAND = 'npx clerk@latest init';

const INSTANCE = { test: 'development', live: 'production' } as const;

type Key = { kind: keyof typeof INSTANCE; body: string };

function keyOf(value: string, prefix: 'pk' | 'sk'): Key | undefined {
  const match = new RegExp(`^${prefix}_(test|live)_(\\S+)$`).exec(value);
  return match ? { kind: match[1] as Key['kind'], body: match[2]! } : undefined;
}

/** A publishable key's body is base64 of `<Frontend API host>$` (Clerk's own rule, @clerk/shared `isPublishableKey`). */
export function frontendApiOf(publishable: string): string | undefined {
  const key = keyOf(publishable.trim(), 'pk');
  if (!key) return undefined;
  let decoded: string;
  try {
    decoded = atob(key.body);
  } catch {
    return undefined;
  }
  const host = decoded.endsWith('$') ? decoded.slice(0, -1) : '';
  return host.includes('.') && !host.includes('$') ? host : undefined;
}

/** The two keys as Clerk will read them, checked as Clerk would refuse them. Blank counts as unset. */
export function checkClerkKeys({ publishableKey, secretKey }: ClerkKeyVariables): ClerkKeysCheck {
  const publishableText = publishableKey?.trim() ?? '';
  const secretText = secretKey?.trim() ?? '';
  if (!publishableText && !secretText) return { ok: false, problem: 'missing' };

  const publishable = keyOf(publishableText, 'pk');
  const secret = keyOf(secretText, 'sk');
  const frontendApi = frontendApiOf(publishableText);
  const rules = [
    !publishableText ? 'NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY is not set (CLERK_SECRET_KEY is)' : undefined,
    publishableText && !publishable ? 'NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY must look like pk_test_… or pk_live_…' : undefined,
    publishable && !frontendApi
      ? 'NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY does not decode to a Frontend API host: truncated or mis-copied'
      : undefined,
    !secretText ? 'CLERK_SECRET_KEY is not set (NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY is)' : undefined,
    secretText && !secret ? 'CLERK_SECRET_KEY must look like sk_test_… or sk_live_…' : undefined,
    publishable && secret && publishable.kind !== secret.kind
      ? `pk_${publishable.kind}_… is paired with sk_${secret.kind}_…: the keys come from different instances`
      : undefined,
  ].filter((rule) => rule !== undefined);
  if (rules.length > 0 || !publishable || !frontendApi) return { ok: false, problem: 'malformed', rules };
  return { ok: true, instance: INSTANCE[publishable.kind], frontendApi, secretKey: secretText };
}

/**
 * The keys from the environment, each variable read by its literal name: in
 * the middleware's bundle that is what Next inlines at build time, exactly as
 * in Clerk's own (`@clerk/nextjs/server` constants).
 */
export function clerkKeysFromEnv(): ClerkKeysCheck {
  return checkClerkKeys({ publishableKey: process.env.NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY, secretKey: process.env.CLERK_SECRET_KEY });
}

/** Configuration (500: only a corrected deployment fixes it) or an outage (503: waiting may), as /api/health answers. */
export function clerkProblemStatus({ problem }: ClerkProblem): 500 | 503 {
  return problem === 'unreachable' ? 503 : 500;
}

/** The one fix that applies, in a sentence. */
export function clerkProblemFix(problem: ClerkProblem): string {
  switch (problem.problem) {
    case 'missing':
      return `put your Clerk instance's keys into .env.local (Clerk Dashboard → API keys); no Clerk account yet? With internet, \`${CLERK_INIT_COMMAND}\` writes temporary development keys there, no sign-up needed`;
    case 'malformed':
      return CLERK_KEYS_SOURCE;
    case 'unreachable':
      return `connect this machine to the internet (or let it reach ${problem.frontendApi} through your firewall or proxy)`;
  }
}

/** What happened, in a sentence. */
export function clerkProblemSummary(problem: ClerkProblem): string {
  switch (problem.problem) {
    case 'missing':
      return 'Clerk cannot start: NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY and CLERK_SECRET_KEY are not set';
    case 'malformed':
      return `Clerk cannot start: ${problem.rules.join('; ')}`;
    case 'unreachable':
      return `Clerk cannot be reached: ${problem.frontendApi}, this instance's Frontend API, does not answer`;
  }
}

/** What happened and the fix, on one line: for the log and for requests that are not pages. Never a value. */
export function describeClerkProblem(problem: ClerkProblem): string {
  return `${clerkProblemSummary(problem)}. Fix: ${clerkProblemFix(problem)}.`;
}

/** Where the middleware rewrites pages to while Clerk cannot work (app/clerk-unavailable). */
export function clerkUnavailablePath({ problem }: ClerkProblem): string {
  return `/clerk-unavailable?problem=${problem}`;
}

const PROBE_TIMEOUT_MS = 3_000;
/** Long enough that a burst of page loads asks once, short enough that a fixed network shows within a minute. */
const PROBE_TTL_MS = 30_000;

const probes = new Map<string, { at: number; reachable: Promise<boolean> }>();

/**
 * Whether anything answers at `url` (any HTTP status counts), remembered for
 * 30 s. Asked only when Clerk is about to send a browser there, so it costs
 * nothing on an ordinary request.
 */
export function isReachable(url: string, now = Date.now()): Promise<boolean> {
  const known = probes.get(url);
  if (known && now - known.at < PROBE_TTL_MS) return known.reachable;
  const reachable = fetch(url, { method: 'HEAD', redirect: 'manual', signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) }).then(
    async (response) => {
      await response.body?.cancel();
      return true;
    },
    () => false,
  );
  probes.set(url, { at: now, reachable });
  return reachable;
}
