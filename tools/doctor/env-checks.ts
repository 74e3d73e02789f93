/** Configuration checks: pure functions of the environment, no I/O. */
import { checkClerkKeys, CLERK_INIT_COMMAND, CLERK_KEYS_SOURCE } from '../../lib/env/clerk-setup';
import { checkEnv, checkSetting } from '../../lib/env/schema';
import { DEV_DATABASE_URI, type EnvSource } from '../lib/local-env';
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
  'copy the Signing Secret from Clerk Dashboard → Webhooks → your endpoint into CLERK_WEBHOOK_SECRET (local-only testing: npm run webhook -- secret --write puts one into .env.local)';

export function checkWebhookSecret(env: EnvSource): CheckResult {
  const name = 'Webhook signing secret';
  const set = SECRET_NAMES.flatMap((key) => {
    const value = env[key]?.trim();
    return value ? [{ key, value }] : [];
  });
  const [used, other] = set;
  if (!used) return fail(name, `neither ${SECRET_NAMES.join(' nor ')} is set: every delivery would be refused (500)`, SECRET_SOURCE);
  const checked = checkSetting({ [used.key]: used.value }, 'webhookSecret');
  if (!checked.ok) {
    // The app's own rule, as the webhook route and npm run dev's summary say it; never the value.
    return fail(name, `${used.key} is malformed: ${checked.problems.map((problem) => problem.rule).join('; ')}`, SECRET_SOURCE);
  }
  if (other && other.value !== used.value) {
    return fail(name, `${used.key} and ${other.key} are both set, to different secrets; the app uses ${used.key}`, `keep only one of them`);
  }
  return pass(name, `${used.key} is set and well-formed (format only; the signed round trip checks that the app verifies with it)`);
}

export const KEYS_SOURCE = CLERK_KEYS_SOURCE;

export const CLERK_KEYS_CHECK = 'Clerk API keys';

/** Well-formed keys: what they say about the instance, and the secret key to try against Clerk. */
export type ClerkKeyFormat = { ok: true; summary: string; secretKey: string } | { ok: false; result: CheckResult };

/**
 * The keys' format, by the rules the app's middleware applies before it lets Clerk start
 * (lib/env/clerk-setup.ts); `checkClerkKeysWithClerk` (clerk-api-check.ts) then asks Clerk about the secret key.
 */
export function checkClerkKeyFormat(env: EnvSource): ClerkKeyFormat {
  const keys = checkClerkKeys({ publishableKey: env.NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY, secretKey: env.CLERK_SECRET_KEY });
  if (keys.ok) {
    const kind = keys.instance === 'production' ? 'live' : 'test';
    return {
      ok: true,
      summary: `pk_${kind}/sk_${kind} pair from a ${keys.instance} instance (${keys.frontendApi})`,
      secretKey: keys.secretKey,
    };
  }
  if (keys.problem === 'missing') {
    return {
      ok: false,
      result: fail(
        CLERK_KEYS_CHECK,
        'neither NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY nor CLERK_SECRET_KEY is set: Clerk cannot start, so every page shows how to set them up (the webhooks, the database and these tools work without)',
        `${CLERK_KEYS_SOURCE}; no Clerk account? With internet, ${CLERK_INIT_COMMAND} writes temporary development keys into .env.local`,
      ),
    };
  }
  return { ok: false, result: fail(CLERK_KEYS_CHECK, `Clerk cannot start: ${keys.rules.join('; ')}`, CLERK_KEYS_SOURCE) };
}
