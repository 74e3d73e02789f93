/**
 * Clerk's keys as Clerk itself would refuse them, before anything asks Clerk:
 * both or neither, each of its shape, both of one instance, and a publishable
 * key that decodes to a Frontend API host (Clerk's own rule: its body is
 * base64 of `<host>$`). Never puts a key's value into a message.
 */

export type ClerkKeysCheck =
  | { ok: true; instance: 'development' | 'production'; frontendApi: string; secretKey: string }
  | { ok: false; problem: 'missing' }
  | { ok: false; problem: 'malformed'; rules: string[] };

/** Where both keys come from, as one instruction. */
export const CLERK_KEYS_SOURCE =
  'copy both keys from the same instance: Clerk Dashboard → API keys (Development: pk_test/sk_test, Production: pk_live/sk_live)';

/** What gets an app without keys going, with internet and without a Clerk account (Clerk's accountless set-up). */
export const CLERK_INIT_COMMAND = 'npx clerk@latest init';

const INSTANCE = { test: 'development', live: 'production' } as const;

type Key = { kind: keyof typeof INSTANCE; body: string };

function keyOf(value: string, prefix: 'pk' | 'sk'): Key | undefined {
  const match = new RegExp(`^${prefix}_(test|live)_(\\S+)$`).exec(value);
  return match ? { kind: match[1] as Key['kind'], body: match[2]! } : undefined;
}

function frontendApiOf(key: Key): string | undefined {
  const decoded = Buffer.from(key.body, 'base64').toString('utf8');
  const host = decoded.endsWith('$') ? decoded.slice(0, -1) : '';
  return host.includes('.') && !host.includes('$') && /^[\x21-\x7e]+$/.test(host) ? host : undefined;
}

/** The two keys as Clerk will read them, checked as Clerk would refuse them. Blank counts as unset. */
export function checkClerkKeys(publishableKey: string | undefined, secretKey: string | undefined): ClerkKeysCheck {
  const publishableText = publishableKey?.trim() ?? '';
  const secretText = secretKey?.trim() ?? '';
  if (!publishableText && !secretText) return { ok: false, problem: 'missing' };

  const publishable = keyOf(publishableText, 'pk');
  const secret = keyOf(secretText, 'sk');
  const frontendApi = publishable && frontendApiOf(publishable);
  const rules = [
    !publishableText ? 'NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY is not set (CLERK_SECRET_KEY is)' : undefined,
    publishableText && !publishable ? 'NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY must look like pk_test_… or pk_live_…' : undefined,
    publishable && !frontendApi
      ? 'NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY does not decode to a Frontend API host: truncated or mis-copied'
      : undefined,
    !secretText ? 'CLERK_SECRET_KEY is not set (NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY is)' : undefined,
    secretText && !secret ? 'CLERK_SECRET_KEY must look like sk_test_… or sk_live_…' : undefined,
    publishable && secret && publishable.kind !== secret.kind
      ? `pk_${publishable.kind}_… is paired with sk_${secret.kind}_…: the keys come from different instances`
      : undefined,
  ].filter((rule) => rule !== undefined);
  if (rules.length > 0 || !publishable || !frontendApi) return { ok: false, problem: 'malformed', rules };
  return { ok: true, instance: INSTANCE[publishable.kind], frontendApi, secretKey: secretText };
}
