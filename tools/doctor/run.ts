/**
 * Runs every doctor check in order and returns the verdicts. Checks that need
 * an earlier one to pass (the round trip needs the database, the endpoint and
 * a secret) fail as "skipped" instead of reporting a confusing second error.
 */
import { webhookSecretOf } from '../../lib/env/schema';
import { DEV_DATABASE_URI, type EnvSource } from '../lib/local-env';
import { checkIndexes, openDatabase } from './database-checks';
import { checkEndpoint } from './endpoint-check';
import { checkClerkKeysWithClerk } from './clerk-api-check';
import { checkEnvironment, checkWebhookSecret } from './env-checks';
import { fail, type CheckResult } from './result';
import { checkRoundTrip, ROUND_TRIP } from './round-trip';

export type DoctorOptions = {
  env: EnvSource;
  /** The app's webhook endpoint, e.g. http://localhost:3000/api/webhooks/clerk */
  url: string;
  /** Called as each verdict is known, so a CLI can print progressively. */
  onResult?: (result: CheckResult) => void;
};

export async function runDoctor({ env, url, onResult = () => {} }: DoctorOptions): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const report = (result: CheckResult) => {
    results.push(result);
    onResult(result);
    return result;
  };

  report(checkEnvironment(env));
  const secret = report(checkWebhookSecret(env));
  report(await checkClerkKeysWithClerk(env));

  const uri = env.MONGODB_URI?.trim();
  const database = await openDatabase(uri ? { uri, from: 'MONGODB_URI' } : { uri: DEV_DATABASE_URI, from: 'embedded' }, env.MONGODB_DB);
  try {
    report(database.result);
    const endpoint = report(await guard('Webhook endpoint reachable', () => checkEndpoint(url)));

    const blockers = [secret, database.result, endpoint].filter((result) => !result.ok).map((result) => result.name);
    const webhookSecret = webhookSecretOf(env);
    if (blockers.length > 0 || !database.db || !webhookSecret) {
      report(fail(ROUND_TRIP, `skipped: needs ${blockers.join(', ')}`, 'fix the checks above first'));
    } else {
      const db = database.db;
      report(await guard(ROUND_TRIP, () => checkRoundTrip({ url, secret: webhookSecret, db })));
    }

    // After the round trip: on a fresh setup, the app creates its indexes on that first delivery.
    if (database.db) {
      const db = database.db;
      report(await guard('Indexes present', () => checkIndexes(db)));
    } else {
      report(fail('Indexes present', `skipped: needs ${database.result.name}`, 'fix the checks above first'));
    }
  } finally {
    await database.close();
  }
  return results;
}

/** An unexpected error (e.g. the database dropping mid-run) is a failed check, not a crashed doctor. */
async function guard(name: string, check: () => Promise<CheckResult>): Promise<CheckResult> {
  try {
    return await check();
  } catch (error) {
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return fail(name, `could not complete: ${reason}`, 'run npm run doctor again; if it persists, the message above names the cause');
  }
}
