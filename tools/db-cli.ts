/**
 * `npm run db -- users | user <clerkId> | deliveries [--limit N] [--json]`:
 * looks at the app's database without signing in. Reads MONGODB_URI and
 * MONGODB_DB as the app does (environment, then .env.local), defaulting to
 * the embedded database `npm run dev` starts. Exit 0 with the answer, 1 with
 * one line when the database is unreachable or the user unknown, 2 for usage.
 *
 * Runs with `--conditions=react-server` (see package.json) so the app's
 * `server-only` modules it reuses (the ledger's query) load outside Next.js.
 */
import { parseArgs } from 'node:util';
import { recentDeliveries } from '../lib/admin/delivery-stats';
import { resolveDatabaseName } from '../lib/db/database-name';
import { checkSetting, describeProblem } from '../lib/env/schema';
import { hostOf } from './doctor/database-checks';
import { deliveriesTable, userDetails, usersTable } from './db-cli/format';
import { DB_TIMEOUT_SECONDS, findUser, listUsers, openDatabase, type Opened } from './db-cli/read';
import { DEV_DATABASE_URI, loadLocalEnv, type EnvSource } from './lib/local-env';

const USAGE = 'usage: npm run db -- users | user <clerkId> | deliveries [--limit N] [--json]';
const DEFAULT_DELIVERIES = 20;

const HELP = `${USAGE}

Looks at the app's database without signing in (read-only). It reads MONGODB_URI and MONGODB_DB as the
app does (environment, then .env.local); unset, the embedded database npm run dev starts.

  users               every user, newest first (tombstones and presence-only entries included)
  user <clerkId>      one user: every field, then their assessments and sessions
  deliveries          the latest webhook deliveries the app answered (default ${DEFAULT_DELIVERIES})
  --limit N           at most N rows
  --json              machine-readable output instead of tables
  -h, --help          this text

Exit 0 with the answer, 1 with one line when the database is unreachable or the user unknown, 2 for usage.`;

type Command = { kind: 'users' } | { kind: 'user'; clerkId: string } | { kind: 'deliveries' };
type Options = { command: Command; limit: number | undefined; json: boolean };

/** Thrown for an answer that ends the run with one line on stderr. */
class Stop extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
}

function parseCommand(args: string[]): Options | 'help' {
  const { values, positionals } = parseFlags(args);
  if (values.help) return 'help';
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1)) throw new Stop(`--limit must be a whole number from 1; ${USAGE}`, 2);
  const command = commandOf(positionals);
  if (!command) throw new Stop(USAGE, 2);
  return { command, limit, json: values.json };
}

function parseFlags(args: string[]) {
  try {
    return parseArgs({
      args,
      allowPositionals: true,
      options: { json: { type: 'boolean', default: false }, limit: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (error) {
    throw new Stop(`${error instanceof Error ? error.message : String(error)}; ${USAGE}`, 2);
  }
}

function commandOf([kind, ...rest]: string[]): Command | undefined {
  if (kind === 'user') return rest.length === 1 ? { kind, clerkId: rest[0]! } : undefined;
  if (kind === 'users' || kind === 'deliveries') return rest.length === 0 ? { kind } : undefined;
  return undefined;
}

type Target = { uri: string; name: string; where: string; fromEnv: boolean };

/** The app's database settings, checked by the app's own rules; unset MONGODB_URI means the embedded database. */
function databaseTarget(env: EnvSource): Target {
  const fromEnv = Boolean(env.MONGODB_URI?.trim());
  const source = fromEnv ? env : { ...env, MONGODB_URI: DEV_DATABASE_URI };
  const uri = checkSetting(source, 'MONGODB_URI');
  const configured = checkSetting(source, 'MONGODB_DB');
  if (!uri.ok || !configured.ok) {
    const problems = [...(uri.ok ? [] : uri.problems), ...(configured.ok ? [] : configured.problems)];
    throw new Stop(`${problems.map(describeProblem).join('; ')} (set in your environment or .env.local)`, 1);
  }
  return { uri: uri.value, name: resolveDatabaseName(uri.value, configured.value), where: hostOf(uri.value), fromEnv };
}

async function connect(target: Target): Promise<Opened> {
  try {
    return await openDatabase(target.uri, target.name);
  } catch {
    const hint = target.fromEnv
      ? 'check MONGODB_URI'
      : 'MONGODB_URI is not set, so this is the embedded database: start it with npm run dev';
    throw new Stop(`cannot reach the database at ${target.where} within ${DB_TIMEOUT_SECONDS} s (${hint})`, 1);
  }
}

async function answer({ command, limit, json }: Options, opened: Opened, target: Target): Promise<string> {
  const show = (data: unknown, text: () => string) => (json ? JSON.stringify(data, null, 2) : text());
  switch (command.kind) {
    case 'users': {
      const users = await listUsers(opened.db, limit);
      return show(users, () => `${usersTable(users)}\n\n${users.length} user(s) in database "${target.name}" at ${target.where}`);
    }
    case 'user': {
      const found = await findUser(opened.db, command.clerkId);
      if (!found) throw new Stop(`no user with clerkId ${command.clerkId} in database "${target.name}" at ${target.where}`, 1);
      return show(found, () => userDetails(found));
    }
    case 'deliveries': {
      const deliveries = await recentDeliveries(opened.db, limit ?? DEFAULT_DELIVERIES);
      return show(
        deliveries,
        () => `${deliveriesTable(deliveries)}\n\nlatest ${deliveries.length} delivery(ies) in database "${target.name}" at ${target.where}`,
      );
    }
  }
}

async function main(): Promise<void> {
  const options = parseCommand(process.argv.slice(2));
  if (options === 'help') return console.log(HELP);
  const target = databaseTarget(loadLocalEnv());
  const opened = await connect(target);
  try {
    console.log(await answer(options, opened, target));
  } finally {
    await opened.close();
  }
}

main().catch((error: unknown) => {
  if (error instanceof Stop) {
    console.error(`db: ${error.message}`);
    process.exitCode = error.code;
    return;
  }
  console.error(`db: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
  process.exitCode = 1;
});
