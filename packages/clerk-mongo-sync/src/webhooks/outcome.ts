/**
 * What became of one delivery. The route maps each to exactly one HTTP status;
 * everything else about the delivery is data for the log line and ledger.
 */
export type DeliveryOutcome =
  | 'applied' // the write changed the database
  | 'duplicate' // this svix-id was already processed
  | 'stale' // a newer (or equal) version is already stored
  | 'ignored' // an event type the engine is not set to handle
  | 'bad_signature' // missing/invalid signature headers, wrong secret, timestamp out of tolerance
  | 'malformed' // signature fine, body is not JSON
  | 'schema_violation' // JSON, but not the shape of that event type
  | 'too_large' // body over the size limit
  | 'unavailable' // database unreachable or could not make the write durable
  | 'hook_failed' // the write is durable, but one of the adopter's hooks threw: answered 500, so Svix retries and the hook runs again
  | 'not_configured' // no webhook secret: fail closed
  | 'internal_error'; // a bug: answered 500 without details, so Svix retries once it is fixed

export const STATUS_BY_OUTCOME: Record<DeliveryOutcome, number> = {
  applied: 200,
  duplicate: 200,
  stale: 200,
  ignored: 200,
  bad_signature: 400,
  malformed: 400,
  schema_violation: 422,
  too_large: 413,
  unavailable: 503,
  hook_failed: 500,
  not_configured: 500,
  internal_error: 500,
};

export type DeliveryResult = {
  outcome: DeliveryOutcome;
  /** Short, safe to show the sender: no internals, secrets or PII. */
  message: string;
  svixId?: string;
  type?: string;
  clerkId?: string;
  clerkOrgId?: string;
  /** For the log line only, never the response: the class of an unexpected error (no message, no stack). */
  cause?: string;
  /** For the log line only: which hook failed. */
  hook?: string;
};
