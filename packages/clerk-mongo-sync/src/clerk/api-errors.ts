/**
 * What a failed Backend API call means: wait as told (429), retry with
 * backoff (5xx, network), stop because the key is wrong (401/403), the user
 * does not exist (404), or the request itself is wrong (any other 4xx). Shared
 * by the just-in-time sync and backfill. Told by the error's shape, so an
 * error from Clerk's own SDK (`ClerkAPIResponseError`: `status`,
 * `retryAfter` in seconds) reads the same as the engine's own client's.
 */
export type ClerkFailure =
  | { kind: 'rate_limited'; retryAfterMs: number | undefined; status: 429 }
  | { kind: 'transient'; status: number | null }
  | { kind: 'key_rejected'; status: number }
  | { kind: 'not_found'; status: 404 }
  | { kind: 'rejected'; status: number };

/** An answer of Clerk's Backend API other than 2xx, as the engine's client reports it (the shape of Clerk's SDK's). */
export class ClerkApiResponseError extends Error {
  override name = 'ClerkApiResponseError';
  constructor(
    readonly status: number,
    /** Seconds, from the Retry-After header (429). */
    readonly retryAfter: number | undefined,
  ) {
    super(`Clerk's Backend API answered HTTP ${status}`);
  }
}

function statusOf(error: unknown): number | undefined {
  const status = typeof error === 'object' && error !== null && 'status' in error ? error.status : undefined;
  return typeof status === 'number' && Number.isInteger(status) ? status : undefined;
}

function retryAfterSecondsOf(error: unknown): number | undefined {
  const seconds = typeof error === 'object' && error !== null && 'retryAfter' in error ? error.retryAfter : undefined;
  return typeof seconds === 'number' && Number.isFinite(seconds) ? seconds : undefined;
}

export function classifyClerkError(error: unknown): ClerkFailure {
  const status = statusOf(error);
  // A network failure (refused, reset, DNS, timeout) comes without a status.
  if (status === undefined || status >= 500) return { kind: 'transient', status: status ?? null };
  if (status === 429) {
    const seconds = retryAfterSecondsOf(error);
    return { kind: 'rate_limited', status, retryAfterMs: seconds === undefined ? undefined : seconds * 1000 };
  }
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
