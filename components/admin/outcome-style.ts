import { STATUS_BY_OUTCOME, type DeliveryOutcome } from 'clerk-mongo-sync';

/** Chart colours: green = applied, blues/greys = harmless no-ops, ambers = sender errors (4xx), reds = our failures (5xx). */
export const OUTCOME_COLORS: Record<DeliveryOutcome, string> = {
  applied: '#0f7b48',
  duplicate: '#6b8fd6',
  stale: '#9aa0ac',
  ignored: '#c9ccd3',
  bad_signature: '#e0a100',
  malformed: '#c47f00',
  schema_violation: '#9a5b00',
  too_large: '#c2410c',
  unavailable: '#b42318',
  hook_failed: '#9b1c1c',
  not_configured: '#7a1a12',
  internal_error: '#5c0f0a',
};

/** The globals.css badge variant for an outcome, by the status it maps to. */
export function outcomeBadge(outcome: DeliveryOutcome): string {
  const status = STATUS_BY_OUTCOME[outcome];
  if (status >= 500) return 'badge danger';
  if (status >= 400) return 'badge warn';
  return outcome === 'applied' ? 'badge ok' : 'badge';
}
