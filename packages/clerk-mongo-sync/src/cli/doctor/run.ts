/**
 * Runs every doctor check in order and returns the verdicts. Checks that need
 * an earlier one to pass (the round trip needs the database, the endpoint and
 * a secret) fail as "skipped" instead of reporting a confusing second error.
 */
import { DEFAULT_COLLECTIONS, type CollectionNames } from '../../db/indexes.js';
import { webhookSecretOf } from '../../webhooks/secret.js';
import type { Source } from '../settings.js';
import { checkClerkKeysWithClerk } from './clerk-api-check.js';
import { checkIndexes, openDatabase, type DatabaseTarget } from './database-checks.js';
import { checkEndpoint } from './endpoint-check.js';
import { checkEnvironment, checkWebhookSecret, type FallbackDatabase } from './env-checks.js';
import { fail, type CheckResult } from './result.js';
import { checkRoundTrip, ROUND_TRIP } from './round-trip.js';

export type DoctorOptions = {
  env: Source;
  /** The app's webhook endpoint, e.g. http://localhost:3000/api/webhooks/clerk */
  url: string;
  /** Called as each verdict is known, so a CLI can print progressively. */
  onResult?: (result: CheckResult) => void;
  /** The database to try when MONGODB_URI is not set, and the fix when it does not answer. */
  fallbackDatabase?: FallbackDatabase;
  collections?: Partial<CollectionNames>;
  /** What starts the app, for the fixes. */
  startApp?: string;
  /** The command that writes a webhook secret, for the fixes. */
  secretWrite?: string;
};

function databaseTarget(env: Source, fallback: FallbackDatabase): DatabaseTarget | undefined {
  const uri = env.MONGODB_URI?.trim();
  if (uri) return { uri, fix: undefined };
  return fallback && { uri: fallback.uri, fix: fallback.fix };
}

export async function runDoctor({
  env,
  url,
  onResult = () => {},
  fallbackDatabase,
  collections,
  startApp = 'start your app',
  secretWrite,
}: DoctorOptions): Promise<CheckResult[]> {
  const names = { ...DEFAULT_COLLECTIONS, ...collections };
  const results: CheckResult[] = [];
  const report = (result: CheckResult) => {
    results.push(result);
    onResult(result);
    return result;
  };

  report(checkEnvironment(env, fallbackDatabase));
  const secret = report(checkWebhookSecret(env, secretWrite));
  report(await checkClerkKeysWithClerk(env));

  const database = await openDatabase(databaseTarget(env, fallbackDatabase), env.MONGODB_DB);
  try {
    report(database.result);
    const endpoint = report(await guard('Webhook endpoint reachable', () => checkEndpoint(url, startApp)));

    const blockers = [secret, database.result, endpoint].filter((result) => !result.ok).map((result) => result.name);
    const webhookSecret = webhookSecretOf(env);
    if (blockers.length > 0 || !database.db || !webhookSecret) {
      report(fail(ROUND_TRIP, `skipped: needs ${blockers.join(', ')}`, 'fix the checks above first'));
    } else {
      const db = database.db;
      report(await guard(ROUND_TRIP, () => checkRoundTrip({ url, secret: webhookSecret, db, names, startApp })));
    }

    // After the round trip: on a fresh setup, the app creates its indexes on that first delivery.
    if (database.db) {
      const db = database.db;
      report(await guard('Indexes present', () => checkIndexes(db, names)));
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
    return fail(name, `could not complete: ${reason}`, 'run doctor again; if it persists, the message above names the cause');
  }
}
