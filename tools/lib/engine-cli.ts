/**
 * The app's `npm run webhook|doctor|sync|db`: the engine package's command
 * line (clerk-mongo-sync/cli), told what only this repository knows: where
 * `npm run dev` listens, the embedded database it starts when MONGODB_URI is
 * not set, how the app names its database, its own records that link to a
 * user (assessments), and how each command is typed here.
 */
import path from 'node:path';
import { runCli, type CliOptions, type CommandName } from 'clerk-mongo-sync/cli';
import { resolveDatabaseName } from '../../lib/db/database-name';
import { webhookTarget } from './dev-server';
import { DEV_DATABASE_URI, loadLocalEnv, ROOT, type EnvSource } from './local-env';

/** Where `npm run webhook -- send` remembers the last user and session (git-ignored). */
/** The secret command as typed here, for the fixes that name it. */
export const SECRET_WRITE_COMMAND = 'npm run webhook -- secret --write';

export const LAST_USER_FILE = path.join(ROOT, '.data', 'webhook-last-user.json');
export const ENV_LOCAL_FILE = path.join(ROOT, '.env.local');

const NPM_SCRIPT: Record<CommandName, string> = {
  secret: 'npm run webhook -- secret',
  send: 'npm run webhook -- send',
  doctor: 'npm run doctor --',
  sync: 'npm run sync --',
  db: 'npm run db --',
};

/** The embedded database's fix, when it does not answer. */
const START_EMBEDDED =
  'MONGODB_URI is not set, so this is the embedded database: start it with npm run dev (it runs while npm run dev does), or set MONGODB_URI to a database of your own';

/** MONGODB_DB as the app resolves it (lib/db/database-name.ts), so the tools look where the app writes. */
function withAppDatabaseName(env: EnvSource): EnvSource {
  const uri = env.MONGODB_URI?.trim();
  return uri ? { ...env, MONGODB_DB: resolveDatabaseName(uri, env.MONGODB_DB?.trim() || undefined) } : env;
}

/** The app's defaults for the engine's CLI; `overrides` for tests (their own files and environment). */
export function appCliOptions({ env, ...overrides }: CliOptions = {}): CliOptions {
  const { url, source } = webhookTarget(undefined);
  return {
    cwd: ROOT,
    invokedAs: (command) => NPM_SCRIPT[command],
    endpoint: { url, source },
    startApp: 'start the app (npm run dev)',
    fallbackDatabase: { uri: DEV_DATABASE_URI, fix: START_EMBEDDED },
    linked: [{ collection: 'assessments', field: 'clerkUserId' }],
    stateFile: LAST_USER_FILE,
    envFile: ENV_LOCAL_FILE,
    ...overrides,
    env: withAppDatabaseName(env ?? loadLocalEnv()),
  };
}

/** Runs `argv` (the command first) with the app's defaults; sets the exit code. */
export async function runAppCli(argv: readonly string[], overrides: CliOptions = {}): Promise<void> {
  process.exitCode = await runCli(argv, appCliOptions(overrides));
}
