/** Configuration checks: pure functions of the environment, no I/O. */
import { checkEnv, isWellFormedWebhookSecret } from '../../lib/env/schema';
import { DEV_DATABASE_URI, type EnvSource, type KeylessKeys } from '../lib/local-env';
import { fail, pass, type CheckResult } from './result';

/** MONGODB_URI may be left unset locally: `npm run dev` then starts the embedded database. */
function withDevDatabaseDefault(env: EnvSource): EnvSource {
  return env.MONGODB_URI?.trim() ? env : { ...env, MONGODB_URI: DEV_DATABASE_URI };
}

export function checkEnvironment(env: EnvSource): CheckResult {
  const name = 'Environment variables well-formed';
  const checked = checkEnv(withDevDatabaseDefault(env));
  if (!checked.ok) {
    return fail(
      name,
      checked.problems.join('; '),
      'correct these in .env.local (see .env.local.example) or in your host’s environment settings',
    );
  }
  const database = env.MONGODB_URI?.trim()
    ? 'MONGODB_URI set'
    : `MONGODB_URI not set: using the embedded database npm run dev starts (${DEV_DATABASE_URI})`;
  return pass(name, `all set variables well-formed (format only; the checks below try them); ${database}`);
}

const SECRET_NAMES = ['CLERK_WEBHOOK_SECRET', 'CLERK_WEBHOOK_SIGNING_SECRET'] as const;
const SECRET_SOURCE =
  'copy the Signing Secret from Clerk Dashboard → Webhooks → your endpoint into CLERK_WEBHOOK_SECRET (local-only testing: npm run webhook -- secret)';

export function checkWebhookSecret(env: EnvSource): CheckResult {
  const name = 'Webhook signing secret';
  const set = SECRET_NAMES.flatMap((key) => {
    const value = env[key]?.trim();
    return value ? [{ key, value }] : [];
  });
  const [used, other] = set;
  if (!used) return fail(name, `neither ${SECRET_NAMES.join(' nor ')} is set: every delivery would be refused (500)`, SECRET_SOURCE);
  if (!isWellFormedWebhookSecret(used.value)) {
    return fail(name, `${used.key} is malformed: expected "whsec_" followed by base64 of at least 24 bytes`, SECRET_SOURCE);
  }
  if (other && other.value !== used.value) {
    return fail(name, `${used.key} and ${other.key} are both set, to different secrets; the app uses ${used.key}`, `keep only one of them`);
  }
  return pass(name, `${used.key} is set and well-formed (format only; the signed round trip checks that the app verifies with it)`);
}

type KeyInfo = { kind: 'test' | 'live'; rest: string };

function keyInfo(value: string | undefined, prefix: 'pk' | 'sk'): KeyInfo | null {
  const match = new RegExp(`^${prefix}_(test|live)_(\\S+)$`).exec(value?.trim() ?? '');
  return match ? { kind: match[1] as KeyInfo['kind'], rest: match[2]! } : null;
}

/** A publishable key encodes the instance's Frontend API host: base64 of `<host>$`. */
function frontendApiHost(publishable: KeyInfo): string | null {
  const decoded = Buffer.from(publishable.rest, 'base64').toString('utf8');
  return /^[a-z0-9.-]+\.[a-z]{2,}\$$/i.test(decoded) ? decoded.slice(0, -1) : null;
}

const INSTANCE = { test: 'development', live: 'production' } as const;
export const KEYS_SOURCE =
  'copy both keys from the same instance: Clerk Dashboard → API keys (Development: pk_test/sk_test, Production: pk_live/sk_live)';

export const CLERK_KEYS_CHECK = 'Clerk API keys';

/** Well-formed keys: what they say about the instance, and the secret key to try against Clerk. */
export type ClerkKeyFormat = { ok: true; summary: string; secretKey: string } | { ok: false; result: CheckResult };

/**
 * The keys' format (pure); `checkClerkKeysWithClerk` (clerk-api-check.ts) then asks Clerk about the secret key.
 * `keyless`: the temporary keys Clerk's keyless mode created, used by the app when no keys are set.
 */
export function checkClerkKeyFormat(env: EnvSource, keyless?: KeylessKeys): ClerkKeyFormat {
  const name = CLERK_KEYS_CHECK;
  const noKeysSet = !env.NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY?.trim() && !env.CLERK_SECRET_KEY?.trim();
  const useKeyless = noKeysSet && keyless !== undefined;
  const publishable = keyInfo(useKeyless ? keyless.publishableKey : env.NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY, 'pk');
  const secret = keyInfo(useKeyless ? keyless.secretKey : env.CLERK_SECRET_KEY, 'sk');
  const missing = [
    publishable ? null : 'NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY (pk_test_… or pk_live_…)',
    secret ? null : 'CLERK_SECRET_KEY (sk_test_… or sk_live_…)',
  ].filter(Boolean);
  if (!publishable || !secret) {
    const hint = noKeysSet ? ' (npm run dev without keys uses Clerk’s keyless mode, which needs internet)' : '';
    return { ok: false, result: fail(name, `missing or malformed: ${missing.join(', ')}${hint}`, KEYS_SOURCE) };
  }

  const host = frontendApiHost(publishable);
  if (!host)
    return {
      ok: false,
      result: fail(name, 'NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY does not decode to a Frontend API host: truncated or mis-copied', KEYS_SOURCE),
    };
  if (publishable.kind !== secret.kind) {
    return {
      ok: false,
      result: fail(
        name,
        `pk_${publishable.kind}_… is paired with sk_${secret.kind}_…: the keys come from different instances`,
        KEYS_SOURCE,
      ),
    };
  }
  const source = useKeyless ? 'keyless mode’s temporary keys (.clerk/.tmp/keyless.json): ' : '';
  const summary = `${source}pk_${publishable.kind}/sk_${secret.kind} pair from a ${INSTANCE[publishable.kind]} instance (${host})`;
  return { ok: true, summary, secretKey: `sk_${secret.kind}_${secret.rest}` };
}
