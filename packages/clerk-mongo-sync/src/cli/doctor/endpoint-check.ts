/**
 * Does an unsigned POST reach our webhook route? The route answers it with 400
 * `bad_signature`; anything else means something stands in between (auth
 * middleware, a trailing-slash redirect, a wrong path or host).
 */
import { post, routeAnswer } from '../http.js';
import { fail, pass, type CheckResult } from './result.js';

const NAME = 'Webhook endpoint reachable';

/** The app's answer when its secret is unset or malformed: fixed where the app reads it, picked up without a restart by next dev. */
export const SECRET_FIX =
  'set a well-formed CLERK_WEBHOOK_SECRET where the app reads it: .env.local in development (next dev picks it up by itself), your host’s environment variables for a deployment (then redeploy)';

/** Vercel's edge names itself in `Server` and stamps every answer with `X-Vercel-Id`, its own refusals included. */
export function isFromVercel(headers: Headers): boolean {
  return /vercel/i.test(headers.get('server') ?? '') || headers.has('x-vercel-id');
}
const TIMEOUT_MS = 5_000;

export async function checkEndpoint(url: string, startApp = 'start your app'): Promise<CheckResult> {
  const result = await post(url, { headers: { 'content-type': 'application/json' }, body: '{}', timeoutMs: TIMEOUT_MS });
  if (result.kind === 'unreachable') {
    return fail(NAME, `${url}: ${result.reason}`, `${startApp}, or pass --url with the address it listens on`);
  }

  const { status, location } = result;
  const answer = routeAnswer(result.body);
  if (status === 400 && answer?.outcome === 'bad_signature')
    return pass(NAME, `${url} answers an unsigned POST with 400 from the webhook route`);
  if (status >= 300 && status < 400) return redirected(url, status, location ?? '');
  if (status === 404)
    return fail(
      NAME,
      `${url} answered 404: no route there`,
      'use the webhook route’s path on this app’s address (the same URL as in Clerk Dashboard → Webhooks)',
    );
  if ((status === 401 || status === 403) && isFromVercel(result.headers)) {
    return fail(
      NAME,
      `${url} answered ${status} from Vercel (server: ${result.headers.get('server') ?? 'Vercel'}${result.headers.has('x-vercel-id') ? ', x-vercel-id' : ''}): Deployment Protection refuses the request before it reaches the app, as it refuses Clerk’s deliveries`,
      'Vercel → Project → Settings → Deployment Protection → Protection Bypass for Automation: add a secret, then append ?x-vercel-protection-bypass=<secret> to the endpoint URL in Clerk Dashboard → Webhooks (and to --url here)',
    );
  }
  if (status === 401 || status === 403) {
    return fail(
      NAME,
      `${url} answered ${status}: the request is refused before it reaches the route`,
      'make the webhook route public (keep it out of auth middleware and out of any proxy’s or host’s access protection)',
    );
  }
  if (answer?.outcome === 'not_configured') {
    return fail(NAME, `${url} answered ${status}: ${answer.message}`, SECRET_FIX);
  }
  return fail(
    NAME,
    `${url} answered ${status}${answer ? ` (${answer.outcome})` : ''} to an unsigned POST; expected 400 bad_signature from the webhook route`,
    'check that the URL points at this app’s webhook route',
  );
}

function redirected(url: string, status: number, location: string): CheckResult {
  const target = new URL(location, url);
  const from = new URL(url);
  if (/sign-?in/i.test(target.pathname)) {
    return fail(
      NAME,
      `${url} is redirected (${status}) to ${target.pathname}: middleware protects the webhook route`,
      'keep /api/webhooks out of the middleware matcher (or the protected routes) so Clerk’s deliveries reach the route',
    );
  }
  if (target.pathname.replace(/\/$/, '') === from.pathname.replace(/\/$/, '') && target.pathname !== from.pathname) {
    return fail(
      NAME,
      `${url} is redirected (${status}) to ${target.pathname}: a trailing-slash redirect, which webhook senders do not follow`,
      `use exactly ${target.href} as the endpoint URL in Clerk Dashboard, or drop trailingSlash from next.config`,
    );
  }
  return fail(
    NAME,
    `${url} is redirected (${status}) to ${target.href}; webhook senders do not follow redirects`,
    `use the final URL (${target.origin}${target.pathname}) as the endpoint URL in Clerk Dashboard`,
  );
}
