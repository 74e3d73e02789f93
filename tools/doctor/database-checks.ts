/** Can doctor reach the app's database, what server is it, and are the app's indexes there. */
import { MongoClient, MongoParseError, MongoServerError, type Db, type Document } from 'mongodb';
import { resolveDatabaseName } from '../../lib/db/database-name';
import { missingIndexes } from '../../lib/db/indexes';
import { fail, pass, type CheckResult } from './result';

/** Short: a reachable database answers in milliseconds; doctor should not hang on one that is not. */
const DOCTOR_DB_TIMEOUT_MS = 2_000;

const REACHABLE = 'MongoDB reachable';
const AUTHENTICATION_FAILED = 18;

export type OpenedDatabase = { result: CheckResult; db?: Db; close(): Promise<void> };

/** "MongoDB 7.0.14", from buildInfo. */
export function describeServer(buildInfo: Document): string {
  return `MongoDB ${String(buildInfo.version ?? 'unknown version')}`;
}

/** The host part of a connection string, without credentials: safe to print. */
export function hostOf(uri: string): string {
  return /^mongodb(?:\+srv)?:\/\/(?:[^@/]*@)?([^/?]*)/.exec(uri)?.[1] ?? 'the configured host';
}

/** Which database doctor tries: the one MONGODB_URI names, or (unset) the embedded one `npm run dev` starts. */
export type DatabaseTarget = { uri: string; from: 'MONGODB_URI' | 'embedded' };

export async function openDatabase(target: DatabaseTarget, configuredName: string | undefined): Promise<OpenedDatabase> {
  const { uri } = target;
  const where = hostOf(uri);
  let client: MongoClient;
  try {
    client = new MongoClient(uri, {
      appName: 'clerk-mongo-sync-doctor',
      serverSelectionTimeoutMS: DOCTOR_DB_TIMEOUT_MS,
      connectTimeoutMS: DOCTOR_DB_TIMEOUT_MS,
    });
  } catch (error) {
    if (!(error instanceof MongoParseError)) throw error;
    return {
      result: fail(
        REACHABLE,
        `MONGODB_URI is not a valid connection string (${error.message})`,
        'copy the connection string again (Atlas → Connect → Drivers)',
      ),
      close: async () => {},
    };
  }
  const close = () => client.close();
  try {
    const info = await client.db('admin').command({ buildInfo: 1 });
    const name = resolveDatabaseName(uri, configuredName?.trim() || undefined);
    return { result: pass(REACHABLE, `${describeServer(info)} at ${where}, database "${name}"`), db: client.db(name), close };
  } catch (error) {
    await close();
    return { result: unreachable(error, where, target.from), close: async () => {} };
  }
}

/** The fix for the configuration found: never the embedded database while MONGODB_URI names another one. */
const START_DATABASE = {
  MONGODB_URI: 'start the database MONGODB_URI names, or correct MONGODB_URI; on Atlas, allow this machine’s IP under Network Access',
  embedded:
    'MONGODB_URI is not set, so this is the embedded database: start it with npm run dev (it runs while npm run dev does), or set MONGODB_URI to a database of your own',
} as const;

function unreachable(error: unknown, where: string, from: DatabaseTarget['from']): CheckResult {
  if (error instanceof MongoServerError && error.code === AUTHENTICATION_FAILED) {
    return fail(
      REACHABLE,
      `authentication failed at ${where}`,
      'check the user and password in MONGODB_URI (URL-encode special characters such as @ : / in the password)',
    );
  }
  const reason = error instanceof Error ? error.name : 'unknown error';
  return fail(REACHABLE, `cannot reach a database at ${where} within ${DOCTOR_DB_TIMEOUT_MS / 1000} s (${reason})`, START_DATABASE[from]);
}

export async function checkIndexes(db: Db): Promise<CheckResult> {
  const name = 'Indexes present';
  const missing = await missingIndexes(db);
  if (missing.length === 0) return pass(name, 'every index in lib/db/indexes.ts exists');
  return fail(
    name,
    `missing: ${missing.join(', ')}`,
    'the app creates them on first database use: start it and send an event (npm run webhook -- send user.created); if they still lack, the app log says why',
  );
}
