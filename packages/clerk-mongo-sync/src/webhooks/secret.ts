import { logEvent, type Log } from '../engine/log.js';

/** A Svix signing secret is `whsec_` + base64 of at least this many bytes (Clerk's are 32). */
const MIN_SECRET_BYTES = 24;

/** What a well-formed secret looks like, as a rule to show people (never a value). */
export const WEBHOOK_SECRET_RULE = `must be "whsec_" followed by base64 of at least ${MIN_SECRET_BYTES} bytes; copy the Signing Secret from Clerk Dashboard → Webhooks → your endpoint`;

/** `whsec_` + base64 of at least 24 bytes, as the Clerk dashboard shows it. */
export function isWellFormedWebhookSecret(secret: string): boolean {
  const match = /^whsec_([A-Za-z0-9+/]+={0,2})$/.exec(secret);
  if (!match?.[1] || match[1].length % 4 !== 0) return false;
  return Buffer.from(match[1], 'base64').length >= MIN_SECRET_BYTES;
}

/** The two names the secret goes by: the seed guides use the first, Clerk's own helper reads the second. */
export const WEBHOOK_SECRET_VARIABLES = ['CLERK_WEBHOOK_SECRET', 'CLERK_WEBHOOK_SIGNING_SECRET'] as const;

type WebhookSecretVariables = Record<string, string | undefined>;

/** CLERK_WEBHOOK_SECRET, else CLERK_WEBHOOK_SIGNING_SECRET; blank counts as unset. */
export function webhookSecretOf(variables: WebhookSecretVariables): string | undefined {
  return variables.CLERK_WEBHOOK_SECRET?.trim() || variables.CLERK_WEBHOOK_SIGNING_SECRET?.trim() || undefined;
}

/** The secret to verify with, or why there is none (the delivery answers 500 `not_configured`). */
export type SecretLookup = { ok: true; secret: string } | { ok: false; message: string };

const NOT_CONFIGURED = 'the webhook signing secret is not configured on the server (CLERK_WEBHOOK_SECRET)';

/**
 * Reads the secret on every delivery: from the option (a string, or a
 * function called each time), else from the environment as it is now, so a
 * reloaded `.env.local` (`next dev`) or a rotated secret applies from the
 * next delivery. Set but malformed: the delivery says which rule it breaks
 * (never the value), and the log says it once per distinct problem.
 */
export function secretLookup(option: string | (() => string | undefined) | undefined, log: Log): () => SecretLookup {
  let reported: string | undefined;
  return () => {
    const { value, source } = currentSecret(option);
    if (!value) return { ok: false, message: NOT_CONFIGURED };
    if (isWellFormedWebhookSecret(value)) return { ok: true, secret: value };
    const problem = `${source} ${WEBHOOK_SECRET_RULE}`;
    if (reported !== problem) logEvent(log, 'error', 'webhook_secret_malformed', { problem });
    reported = problem;
    return { ok: false, message: `the webhook signing secret is malformed: ${problem}` };
  };
}

function currentSecret(option: string | (() => string | undefined) | undefined): { value: string | undefined; source: string } {
  if (typeof option === 'string') return { value: option.trim(), source: 'the webhookSecret option' };
  if (typeof option === 'function') return { value: option()?.trim(), source: 'the webhookSecret option' };
  const value = webhookSecretOf(process.env);
  const source = process.env.CLERK_WEBHOOK_SECRET?.trim() ? 'CLERK_WEBHOOK_SECRET' : 'CLERK_WEBHOOK_SIGNING_SECRET';
  return { value, source };
}
