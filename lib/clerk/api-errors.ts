import { isClerkAPIResponseError } from '@clerk/backend/errors';

/**
 * What a failed Backend API call means: wait as told (429), retry with
 * backoff (5xx, network), stop because the key is wrong (401/403), the user
 * does not exist (404), or the request itself is wrong (any other 4xx). Shared
 * by the just-in-time sync and `npm run sync`.
 */
export type ClerkFailure =
  | { kind: 'rate_limited'; retryAfterMs: number | undefined; status: 429 }
  | { kind: 'transient'; status: number | null }
  | { kind: 'key_rejected'; status: number }
  | { kind: 'not_found'; status: 404 }
  | { kind: 'rejected'; status: number };

export function classifyClerkError(error: unknown): ClerkFailure {
  if (!isClerkAPIResponseError(error)) return { kind: 'transient', status: null };
  const { status } = error;
  // The SDK reports a network failure (refused, reset, DNS) as an error without a status.
  if (status === undefined || status >= 500) return { kind: 'transient', status: status ?? null };
  if (status === 429)
    return { kind: 'rate_limited', status, retryAfterMs: error.retryAfter === undefined ? undefined : error.retryAfter * 1000 };
  if (status === 401 || status === 403) return { kind: 'key_rejected', status };
  if (status === 404) return { kind: 'not_found', status };
  return { kind: 'rejected', status };
}

/** A Backend API failure the run does not retry (any more): carries what went wrong for the final message. */
export class ClerkRequestFailed extends Error {
  override name = 'ClerkRequestFailed';
  constructor(
    readonly failure: ClerkFailure,
    readonly attempts: number,
  ) {
    super(describeFailure(failure, attempts));
  }
}

function describeFailure(failure: ClerkFailure, attempts: number): string {
  switch (failure.kind) {
    case 'key_rejected':
      return `CLERK_SECRET_KEY was rejected by Clerk (HTTP ${failure.status})`;
    case 'rejected':
    case 'not_found':
      return `Clerk's Backend API refused the request (HTTP ${failure.status})`;
    default:
      return `Clerk's Backend API did not answer usably after ${attempts} attempts (last: ${failure.status === null ? 'no response' : `HTTP ${failure.status}`})`;
  }
}
