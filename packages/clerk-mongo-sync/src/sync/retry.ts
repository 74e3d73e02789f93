import { setTimeout as sleep } from 'node:timers/promises';
import { classifyClerkError, ClerkRequestFailed } from '../clerk/api-errors.js';

export type RetryPolicy = {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** The first backoff; each next one doubles, up to `maxDelayMs`, with full jitter. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this is cut to it (a run should not sleep for an hour on one header). */
  maxRetryAfterMs: number;
};

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 6, baseDelayMs: 500, maxDelayMs: 15_000, maxRetryAfterMs: 60_000 };

/** Full jitter (AWS's "exponential backoff and jitter"): concurrent clients do not retry in lockstep. */
function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/**
 * Calls `request` until it succeeds, honouring 429's Retry-After and backing
 * off on 5xx and network errors, at most `maxAttempts` times. Anything else
 * (a rejected key, a 4xx) fails at once. Every failure is a `ClerkRequestFailed`;
 * an abort while waiting rejects with the signal's reason.
 */
export async function withClerkRetry<T>(request: () => Promise<T>, policy: RetryPolicy, signal?: AbortSignal): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await request();
    } catch (error) {
      const failure = classifyClerkError(error);
      const retryable = failure.kind === 'rate_limited' || failure.kind === 'transient';
      if (!retryable || attempt >= policy.maxAttempts) throw new ClerkRequestFailed(failure, attempt);
      const delay =
        failure.kind === 'rate_limited' && failure.retryAfterMs !== undefined
          ? Math.min(failure.retryAfterMs, policy.maxRetryAfterMs)
          : backoffDelay(attempt, policy);
      await sleep(delay, undefined, { signal });
    }
  }
}
