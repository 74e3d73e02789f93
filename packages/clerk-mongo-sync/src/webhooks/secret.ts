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

type WebhookSecretVariables = Partial<Record<(typeof WEBHOOK_SECRET_VARIABLES)[number], string>>;

/** CLERK_WEBHOOK_SECRET, else CLERK_WEBHOOK_SIGNING_SECRET; blank counts as unset. */
export function webhookSecretOf(variables: WebhookSecretVariables): string | undefined {
  return variables.CLERK_WEBHOOK_SECRET?.trim() || variables.CLERK_WEBHOOK_SIGNING_SECRET?.trim() || undefined;
}
