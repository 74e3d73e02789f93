import type { Log } from '../engine/log.js';
import type { DeliveryResult } from './outcome.js';

/** One structured line per delivery: ids, type, outcome, status, timing (and an unexpected error's class). Never payload data or PII. */
export function logDelivery(log: Log, result: DeliveryResult, status: number, startedAt: number): void {
  const line = JSON.stringify({
    event: 'clerk_webhook',
    svixId: result.svixId ?? null,
    type: result.type ?? null,
    outcome: result.outcome,
    status,
    durationMs: Math.round(performance.now() - startedAt),
    ...(result.cause ? { cause: result.cause } : {}),
    ...(result.hook ? { hook: result.hook } : {}),
  });
  log(line, status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info');
}
