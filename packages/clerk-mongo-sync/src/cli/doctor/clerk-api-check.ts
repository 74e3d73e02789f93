/**
 * The Clerk keys, tried against Clerk's Backend API when it answers: a secret
 * key it accepts is verified; one it refuses fails; no answer leaves the
 * verdict at the format, and the detail says so.
 */
import { DEFAULT_CLERK_API_URL } from '../../clerk/backend-api.js';
import type { Source } from '../settings.js';
import { checkClerkKeyFormat, CLERK_KEYS_CHECK, KEYS_SOURCE } from './env-checks.js';
import { fail, pass, type CheckResult } from './result.js';

const CLERK_TIMEOUT_MS = 5_000;

/** Said whenever Clerk gave no verdict: a well-formed key may still be revoked or from another instance. */
const FORMAT_ONLY = 'format only — not checked against Clerk';

type ClerkAnswer = { kind: 'accepted' } | { kind: 'refused'; status: number } | { kind: 'no_verdict'; reason: string };

export async function checkClerkKeysWithClerk(env: Source, timeoutMs = CLERK_TIMEOUT_MS): Promise<CheckResult> {
  const format = checkClerkKeyFormat(env);
  if (!format.ok) return format.result;
  const apiUrl = env.CLERK_API_URL?.trim() || DEFAULT_CLERK_API_URL;
  const answer = await askClerk(apiUrl, format.secretKey, timeoutMs);
  switch (answer.kind) {
    case 'accepted':
      return pass(
        CLERK_KEYS_CHECK,
        `${format.summary}; secret key verified: Clerk’s Backend API (${apiUrl}) accepted it (publishable key: format only)`,
      );
    case 'refused':
      return fail(
        CLERK_KEYS_CHECK,
        `Clerk’s Backend API (${apiUrl}) refused the secret key (${answer.status}): revoked, rotated or mis-copied`,
        KEYS_SOURCE,
      );
    case 'no_verdict':
      return pass(CLERK_KEYS_CHECK, `${format.summary}; ${FORMAT_ONLY}: its Backend API (${apiUrl}) ${answer.reason}`);
  }
}

/** One authenticated read that costs nothing: the user count. */
async function askClerk(apiUrl: string, secretKey: string, timeoutMs: number): Promise<ClerkAnswer> {
  try {
    const response = await fetch(new URL('/v1/users/count', apiUrl), {
      headers: { authorization: `Bearer ${secretKey}` },
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.body?.cancel();
    if (response.ok) return { kind: 'accepted' };
    if (response.status === 401 || response.status === 403) return { kind: 'refused', status: response.status };
    return { kind: 'no_verdict', reason: `answered ${response.status}` };
  } catch (error) {
    const timedOut = error instanceof DOMException && error.name === 'TimeoutError';
    return { kind: 'no_verdict', reason: timedOut ? `did not answer within ${timeoutMs / 1000} s` : 'is unreachable' };
  }
}
