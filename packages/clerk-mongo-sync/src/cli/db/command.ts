/**
 * `clerk-mongo-sync db users | user <clerkId> | organizations | organization <clerkOrgId> | deliveries | indexes [--limit N] [--json]`:
 * looks at the database without signing in (and `indexes` makes the engine's
 * indexes where they lack). Reads MONGODB_URI and MONGODB_DB (environment,
 * then .env.local). Exit 0 with the answer, 1 with one line when the database
 * is unreachable or the user (organization) unknown, 2 for usage.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_COLLECTIONS, ensureIndexes, missingIndexes, type CollectionNames } from '../../db/indexes.js';
import { consoleLog } from '../../engine/log.js';
import type { Cli } from '../context.js';
import { hostOf } from '../doctor/database-checks.js';
import { checkSetting, describeProblem } from '../settings.js';
import { deliveriesTable, organizationDetails, organizationsTable, userDetails, usersTable } from './format.js';
import {
  DB_TIMEOUT_SECONDS,
  findOrganization,
  findUser,
  listOrganizations,
  listUsers,
  openDatabase,
  recentDeliveries,
  type Opened,
} from './read.js';

const DEFAULT_DELIVERIES = 20;

function usageLine(cli: Cli): string {
  return `usage: ${cli.invokedAs('db')} users | user <clerkId> | organizations | organization <clerkOrgId> | deliveries | indexes [--limit N] [--json]`;
}

function help(cli: Cli): string {
  const linked = cli.linked.map(({ collection }) => collection).join(', ');
  return `${usageLine(cli)}

Looks at the database without signing in (read-only, but for indexes). It reads MONGODB_URI and MONGODB_DB
(environment, then .env.local)${cli.fallbackDatabase ? `; unset, ${cli.fallbackDatabase.uri}` : ''}.

  users               every user, newest first (tombstones and presence-only entries included)
  user <clerkId>      one user: every field, then ${linked ? `their ${linked} and ` : ''}sessions
  organizations       every organization, newest first (tombstones included), with its active members
  organization <id>   one organization: every field, then its memberships (ended ones included)
  deliveries          the latest webhook deliveries the app answered (default ${DEFAULT_DELIVERIES})
  indexes             makes the engine's indexes where they lack (the engine also does on first use)
  --limit N           at most N rows
  --json              machine-readable output instead of tables
  -h, --help          this text

Exit 0 with the answer, 1 with one line when the database is unreachable or the user (organization) unknown, 2 for usage.`;
}

type Command =
  | { kind: 'users' }
  | { kind: 'user'; clerkId: string }
  | { kind: 'organizations' }
  | { kind: 'organization'; clerkOrgId: string }
  | { kind: 'deliveries' }
  | { kind: 'indexes' };
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

function parseCommand(args: string[], cli: Cli): Options | 'help' {
  const { values, positionals } = parseFlags(args, cli);
  if (values.help) return 'help';
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1))
    throw new Stop(`--limit must be a whole number from 1; ${usageLine(cli)}`, 2);
  const command = commandOf(positionals);
  if (!command) throw new Stop(usageLine(cli), 2);
  return { command, limit, json: values.json };
}

function parseFlags(args: string[], cli: Cli) {
  try {
    return parseArgs({
      args,
      allowPositionals: true,
      options: { json: { type: 'boolean', default: false }, limit: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (error) {
    throw new Stop(`${error instanceof Error ? error.message : String(error)}; ${usageLine(cli)}`, 2);
  }
}

function commandOf([kind, ...rest]: string[]): Command | undefined {
  if (kind === 'user') return rest.length === 1 ? { kind, clerkId: rest[0]! } : undefined;
  if (kind === 'organization') return rest.length === 1 ? { kind, clerkOrgId: rest[0]! } : undefined;
  if (kind === 'users' || kind === 'organizations' || kind === 'deliveries' || kind === 'indexes')
    return rest.length === 0 ? { kind } : undefined;
  return undefined;
}

type Target = { uri: string; name: string | undefined; where: string; fix: string };

/** The database settings, checked by their rules; unset MONGODB_URI means the wrapper's default, if it has one. */
function databaseTarget(cli: Cli): Target {
  const { env, fallbackDatabase } = cli;
  const fromEnv = Boolean(env.MONGODB_URI?.trim());
  const source = fromEnv || !fallbackDatabase ? env : { ...env, MONGODB_URI: fallbackDatabase.uri };
  const uri = checkSetting(source, 'MONGODB_URI');
  const configured = checkSetting(source, 'MONGODB_DB');
  if (!uri.ok || !configured.ok) {
    const problems = [...(uri.ok ? [] : uri.problems), ...(configured.ok ? [] : configured.problems)];
    throw new Stop(`${problems.map(describeProblem).join('; ')} (set in your environment or .env.local)`, 1);
  }
  const fix = fromEnv || !fallbackDatabase ? 'check MONGODB_URI' : fallbackDatabase.fix;
  return { uri: uri.value, name: configured.value, where: hostOf(uri.value), fix };
}

async function connect(target: Target): Promise<Opened> {
  try {
    return await openDatabase(target.uri, target.name);
  } catch {
    throw new Stop(`cannot reach the database at ${target.where} within ${DB_TIMEOUT_SECONDS} s (${target.fix})`, 1);
  }
}

async function answer({ command, limit, json }: Options, opened: Opened, cli: Cli, where: string): Promise<string> {
  const names: CollectionNames = { ...DEFAULT_COLLECTIONS, ...cli.collections };
  const inDatabase = `in database "${opened.db.databaseName}" at ${where}`;
  const show = (data: unknown, text: () => string) => (json ? JSON.stringify(data, null, 2) : text());
  switch (command.kind) {
    case 'users': {
      const users = await listUsers(opened.db, names, limit);
      return show(users, () => `${usersTable(users, cli.invokedAs('send'))}\n\n${users.length} user(s) ${inDatabase}`);
    }
    case 'user': {
      const found = await findUser(opened.db, names, cli.linked, command.clerkId);
      if (!found) throw new Stop(`no user with clerkId ${command.clerkId} ${inDatabase}`, 1);
      const linked = Object.fromEntries(found.linked.map(({ link, records }) => [link.collection, records]));
      return show({ user: found.user, ...linked, sessions: found.sessions }, () => userDetails(found));
    }
    case 'organizations': {
      const organizations = await listOrganizations(opened.db, names, limit);
      return show(organizations, () => `${organizationsTable(organizations)}\n\n${organizations.length} organization(s) ${inDatabase}`);
    }
    case 'organization': {
      const found = await findOrganization(opened.db, names, command.clerkOrgId);
      if (!found) throw new Stop(`no organization with clerkOrgId ${command.clerkOrgId} ${inDatabase}`, 1);
      return show(found, () => organizationDetails(found));
    }
    case 'deliveries': {
      const deliveries = await recentDeliveries(opened.db, names, limit ?? DEFAULT_DELIVERIES);
      return show(deliveries, () => `${deliveriesTable(deliveries)}\n\nlatest ${deliveries.length} delivery(ies) ${inDatabase}`);
    }
    case 'indexes': {
      const made = await missingIndexes(opened.db, names);
      await ensureIndexes(opened.db, names, consoleLog);
      const lacking = await missingIndexes(opened.db, names);
      if (lacking.length > 0) throw new Stop(`still missing after creating them: ${lacking.join(', ')}`, 1);
      return show({ created: made }, () =>
        made.length > 0 ? `created: ${made.join(', ')} ${inDatabase}` : `every index the engine needs is there ${inDatabase}`,
      );
    }
  }
}

export async function runDbCommand(argv: string[], cli: Cli): Promise<number> {
  try {
    const options = parseCommand(argv, cli);
    if (options === 'help') {
      cli.out(help(cli));
      return 0;
    }
    const target = databaseTarget(cli);
    const opened = await connect(target);
    try {
      cli.out(await answer(options, opened, cli, target.where));
    } finally {
      await opened.close();
    }
    return 0;
  } catch (error) {
    if (error instanceof Stop) {
      cli.err(`db: ${error.message}`);
      return error.code;
    }
    cli.err(`db: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
    return 1;
  }
}
