/**
 * clerk-mongo-sync/cli: the command line as a function, for an app's own
 * scripts that wrap it with what they know (where the app listens, its
 * database when none is configured, its engine with its `mapUser`, its own
 * collections that link to users). The `clerk-mongo-sync` bin is this with
 * the defaults.
 *
 * ```ts
 * process.exitCode = await runCli(process.argv.slice(2), { invokedAs: (command) => `npm run ${command} --` });
 * ```
 */
import { COMMANDS, resolveCli, type CliOptions, type CommandName } from './context.js';
import { runDbCommand } from './db/command.js';
import { runDoctorCommand } from './doctor/command.js';
import { runSyncCommand } from './sync/command.js';
import { runWebhookCli } from './webhook/cli.js';

export type { CliOptions, CommandName } from './context.js';
export { checkWebhookSecret } from './doctor/env-checks.js';
export type { CheckResult } from './doctor/result.js';

function usage(name: string): string {
  return `Usage: ${name} <command> [options]   (each command answers --help)

  secret [--write]          a fresh webhook signing secret (--write: into .env.local)
  send <type> [options]     a realistic Clerk event, signed as Svix signs it, POSTed to your app
  doctor [--url <url>]      every link of the chain checked, each with a one-line fix
  sync backfill|reconcile   every Clerk user into MongoDB from Clerk's Backend API
  db users|user <id>|deliveries   what is in the database, without signing in

Reads the environment, then .env.local and .env of the current directory.`;
}

function isCommand(value: string | undefined): value is CommandName {
  return (COMMANDS as readonly (string | undefined)[]).includes(value);
}

/** Runs one command; resolves with its exit code (0 success, 1 failure, 2 usage, 130 interrupted). */
export async function runCli(argv: readonly string[], options: CliOptions = {}): Promise<number> {
  const cli = resolveCli(options);
  const [command, ...rest] = argv;
  if (!isCommand(command)) {
    const asked = command === undefined || command === '--help' || command === '-h';
    (asked ? cli.out : cli.err)(`${asked ? '' : `unknown command "${command}"\n\n`}${usage('clerk-mongo-sync')}`);
    return asked ? 0 : 2;
  }
  switch (command) {
    case 'secret':
    case 'send':
      return runWebhookCli(command, rest, cli);
    case 'doctor':
      return runDoctorCommand(rest, cli);
    case 'sync':
      return runSyncCommand(rest, cli);
    case 'db':
      return runDbCommand(rest, cli);
  }
}
