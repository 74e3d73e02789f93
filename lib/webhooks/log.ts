import type { DeliveryResult } from './outcome';

/** One structured line per delivery: ids, type, outcome, status, timing (and an unexpected error's class). Never payload data or PII. */
export function logDelivery(result: DeliveryResult, status: number, startedAt: number): void {
  const line = JSON.stringify({
    event: 'clerk_webhook',
    svixId: result.svixId ?? null,
    type: result.type ?? null,
    outcome: result.outcome,
    status,
    durationMs: Math.round(performance.now() - startedAt),
    ...(result.cause ? { cause: result.cause } : {}),
  });
  if (status >= 500) console.error(line);
  else if (status >= 400) console.warn(line);
  else console.log(line);
}
