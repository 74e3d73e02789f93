/** Configuration checks: pure functions of the environment, no I/O. */
import { WEBHOOK_SECRET_VARIABLES } from '../../webhooks/secret.js';
import { checkSetting, describeProblem, findProblems, type Source } from '../settings.js';
import { checkClerkKeys, CLERK_INIT_COMMAND, CLERK_KEYS_SOURCE } from './clerk-keys.js';
import { fail, pass, type CheckResult } from './result.js';

/** The database doctor uses when MONGODB_URI is not set (a wrapper's default), if any. */
export type FallbackDatabase = { uri: string; fix: string } | undefined;

export function checkEnvironment(env: Source, fallback?: FallbackDatabase): CheckResult {
  const name = 'Environment variables well-formed';
  const uriSet = Boolean(env.MONGODB_URI?.trim());
  const problems = findProblems(uriSet || !fallback ? env : { ...env, MONGODB_URI: fallback.uri });
  if (problems.length > 0) {
    return fail(name, problems.map(describeProblem).join('; '), 'correct these in .env.local or in your host’s environment settings');
  }
  const database = uriSet ? 'MONGODB_URI set' : `MONGODB_URI not set: using ${fallback?.uri}`;
  return pass(name, `all set variables well-formed (format only; the checks below try them); ${database}`);
}

function secretSource(secretWrite: string): string {
  return `copy the Signing Secret from Clerk Dashboard → Webhooks → your endpoint into CLERK_WEBHOOK_SECRET (local-only testing: ${secretWrite} puts one into .env.local)`;
}

/** The signing secret's format and names; `secretWrite` is the command that writes one (named in the fix). */
export function checkWebhookSecret(env: Source, secretWrite = 'clerk-mongo-sync secret --write'): CheckResult {
  const SECRET_SOURCE = secretSource(secretWrite);
  const name = 'Webhook signing secret';
  const set = WEBHOOK_SECRET_VARIABLES.flatMap((key) => {
    const value = env[key]?.trim();
    return value ? [{ key, value }] : [];
  });
  const [used, other] = set;
  if (!used)
    return fail(name, `neither ${WEBHOOK_SECRET_VARIABLES.join(' nor ')} is set: every delivery would be refused (500)`, SECRET_SOURCE);
  const checked = checkSetting({ [used.key]: used.value }, used.key);
  if (!checked.ok) {
    // The engine's own rule, as the webhook route says it; never the value.
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
 * The keys' format, by Clerk's own rules (clerk-keys.ts); `checkClerkKeysWithClerk`
 * (clerk-api-check.ts) then asks Clerk about the secret key.
 */
export function checkClerkKeyFormat(env: Source): ClerkKeyFormat {
  const keys = checkClerkKeys(env.NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY, env.CLERK_SECRET_KEY);
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
        'neither NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY nor CLERK_SECRET_KEY is set: Clerk cannot start (the webhooks, the database and these tools work without)',
        `${CLERK_KEYS_SOURCE}; no Clerk account? With internet, ${CLERK_INIT_COMMAND} writes temporary development keys into .env.local`,
      ),
    };
  }
  return { ok: false, result: fail(CLERK_KEYS_CHECK, `Clerk cannot start: ${keys.rules.join('; ')}`, CLERK_KEYS_SOURCE) };
}
