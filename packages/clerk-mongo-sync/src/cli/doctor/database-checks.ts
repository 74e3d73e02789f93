/** Can doctor reach the app's database, what server is it, and are the engine's indexes there. */
import { MongoClient, MongoParseError, MongoServerError, type Db, type Document } from 'mongodb';
import { missingIndexes, type CollectionNames } from '../../db/indexes.js';
import { fail, pass, type CheckResult } from './result.js';

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

/** Which database doctor tries: the one MONGODB_URI names, or (unset) a wrapper's default with its own fix. */
export type DatabaseTarget = { uri: string; fix: string | undefined };

const NO_DATABASE = 'MONGODB_URI is required: a mongodb:// or mongodb+srv:// connection string';

export async function openDatabase(target: DatabaseTarget | undefined, configuredName: string | undefined): Promise<OpenedDatabase> {
  if (!target) return { result: fail(REACHABLE, 'MONGODB_URI is not set', NO_DATABASE), close: async () => {} };
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
    // MONGODB_DB, else the database the URI names (the driver's own rule, as the app's client has it).
    const db = client.db(configuredName?.trim() || undefined);
    return { result: pass(REACHABLE, `${describeServer(info)} at ${where}, database "${db.databaseName}"`), db, close };
  } catch (error) {
    await close();
    return { result: unreachable(error, where, target.fix), close: async () => {} };
  }
}

/** The fix for the configuration found: a wrapper's default database has its own (how to start it). */
const START_DATABASE =
  'start the database MONGODB_URI names, or correct MONGODB_URI; on Atlas, allow this machine’s IP under Network Access';

function unreachable(error: unknown, where: string, fix: string | undefined): CheckResult {
  if (error instanceof MongoServerError && error.code === AUTHENTICATION_FAILED) {
    return fail(
      REACHABLE,
      `authentication failed at ${where}`,
      'check the user and password in MONGODB_URI (URL-encode special characters such as @ : / in the password)',
    );
  }
  const reason = error instanceof Error ? error.name : 'unknown error';
  return fail(REACHABLE, `cannot reach a database at ${where} within ${DOCTOR_DB_TIMEOUT_MS / 1000} s (${reason})`, fix ?? START_DATABASE);
}

export async function checkIndexes(db: Db, names: CollectionNames): Promise<CheckResult> {
  const name = 'Indexes present';
  const missing = await missingIndexes(db, names);
  if (missing.length === 0) return pass(name, 'every index the engine needs exists');
  return fail(
    name,
    `missing: ${missing.join(', ')}`,
    'the engine creates them on its first delivery: send one (the send command); if they still lack, the app log says why',
  );
}
