/**
 * `clerk-mongo-sync sync backfill|reconcile [--dry-run] [--restart] [--json]`:
 * brings every Clerk user, organization and membership into MongoDB through
 * the webhooks' order guards (backfill), and also ends what Clerk no longer
 * has (reconcile).
 * Needs only CLERK_SECRET_KEY and MONGODB_URI (+ MONGODB_DB, CLERK_API_URL),
 * from the environment or .env.local. Exit 0 when complete, 130 when stopped
 * with Ctrl-C, 1 otherwise, always with one line saying why.
 */
import { parseArgs } from 'node:util';
import { MongoClient } from 'mongodb';
import { createClerkSync, type ClerkSync } from '../../engine/create.js';
import { MAX_PAGE_SIZE } from '../../sync/clerk-pages.js';
import type { SyncOutcome } from '../../sync/run.js';
import type { Cli } from '../context.js';
import { parseSyncSettings, type SyncSettings } from '../settings.js';
import { progressReporter } from './progress.js';
import { formatSummary, ratesOf } from './summary.js';

function usageLine(cli: Cli): string {
  return `usage: ${cli.invokedAs('sync')} backfill|reconcile [--dry-run] [--restart] [--json] [--page-size <1-500>]`;
}

function help(cli: Cli): string {
  return `${usageLine(cli)}

Brings every Clerk user, then every organization and its memberships, into MongoDB through the
webhooks' order guards, from Clerk's Backend API.
Needs CLERK_SECRET_KEY and MONGODB_URI (+ MONGODB_DB, CLERK_API_URL), from the environment or .env.local.

  backfill            users, organizations and memberships (idempotent; resumes an interrupted run)
  reconcile           the same, and tombstones the users and organizations Clerk no longer has,
                      and ends the memberships it no longer lists (each confirmed by id first)
  --dry-run           read everything, print what it would do, write nothing
  --restart           ignore an interrupted run's checkpoint
  --json              the summary as one JSON line
  --page-size <n>     users, organizations or memberships per request to Clerk, 1-${MAX_PAGE_SIZE} (default ${MAX_PAGE_SIZE})
  -h, --help          this text

Exit 0 when complete, 130 when stopped with Ctrl-C, 1 otherwise (with one line saying why), 2 for usage.`;
}

/** One line on stderr; the exit code it stands for. */
function fail(cli: Cli, message: string, code = 1): number {
  cli.err(`sync: ${message}`);
  return code;
}

/** Host and port of a connection string, never its credentials. */
function databaseHost(uri: string): string {
  return /^mongodb(?:\+srv)?:\/\/(?:[^@/]*@)?([^/?]+)/.exec(uri)?.[1] ?? 'the configured server';
}

function parseFlags(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        'dry-run': { type: 'boolean', default: false },
        restart: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        'page-size': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch {
    return undefined;
  }
}

function parseCommand(argv: string[]) {
  const parsed = parseFlags(argv);
  if (!parsed) return undefined;
  const { values, positionals } = parsed;
  if (values.help) return 'help' as const;
  const [kind, ...rest] = positionals;
  const pageSize = values['page-size'] === undefined ? undefined : Number(values['page-size']);
  if ((kind !== 'backfill' && kind !== 'reconcile') || rest.length > 0) return undefined;
  if (pageSize !== undefined && !(Number.isInteger(pageSize) && pageSize >= 1 && pageSize <= MAX_PAGE_SIZE)) return undefined;
  return { kind, dryRun: values['dry-run'], restart: values.restart, json: values.json, pageSize } as const;
}

/** First Ctrl-C: stop after the current page (the checkpoint stays exact). Second: stop now. */
function stopOnInterrupt(cli: Cli): { signal: AbortSignal; release: () => void } {
  const controller = new AbortController();
  const onInterrupt = () => {
    if (controller.signal.aborted) process.exit(130);
    cli.err('\nsync: stopping after the current page (Ctrl-C again to stop at once)…');
    controller.abort();
  };
  process.on('SIGINT', onInterrupt);
  return { signal: controller.signal, release: () => process.off('SIGINT', onInterrupt) };
}

function report(cli: Cli, outcome: SyncOutcome, json: boolean, uri: string): number {
  if (outcome.status === 'database_unavailable') {
    return fail(cli, `the database at ${databaseHost(uri)} is unreachable or did not answer (MONGODB_URI): ${outcome.message}`);
  }
  const { summary } = outcome;
  if (json) {
    const peakRssBytes = process.resourceUsage().maxRSS * 1024;
    cli.out(JSON.stringify({ status: outcome.status, ...summary, ...ratesOf(summary), peakRssBytes }));
  } else {
    cli.out(formatSummary(summary));
  }
  if (outcome.status === 'clerk_failed') {
    const kept = outcome.failure === 'key_rejected' ? '' : '; the checkpoint is kept, run again to resume';
    return fail(cli, `${outcome.message}${kept}`);
  }
  if (outcome.status === 'interrupted') return fail(cli, 'interrupted; run the same command again to resume from the checkpoint', 130);
  return 0;
}

/** The engine the run writes through: the wrapper's own (its `mapUser` applies), else one on MONGODB_URI. */
function engineFor(cli: Cli, settings: SyncSettings): { sync: ClerkSync; close: () => Promise<void> } {
  const clerk = { secretKey: settings.CLERK_SECRET_KEY, apiUrl: settings.CLERK_API_URL };
  if (cli.clerkSync) return { sync: cli.clerkSync, close: async () => {} };
  const client = new MongoClient(settings.MONGODB_URI, { appName: 'clerk-mongo-sync-cli', serverSelectionTimeoutMS: 5_000 });
  const database = client.db(settings.MONGODB_DB);
  return { sync: createClerkSync({ database, collections: cli.collections, clerk }), close: () => client.close() };
}

export async function runSyncCommand(argv: string[], cli: Cli): Promise<number> {
  const command = parseCommand(argv);
  if (command === 'help') {
    cli.out(help(cli));
    return 0;
  }
  if (!command) return fail(cli, usageLine(cli), 2);
  const settings = parseSyncSettings(cli.env);
  if (!settings.ok) return fail(cli, settings.problems.join('; '));

  const { sync, close } = engineFor(cli, settings.settings);
  const stop = stopOnInterrupt(cli);
  try {
    const outcome = await sync[command.kind]({
      dryRun: command.dryRun,
      restart: command.restart,
      pageSize: command.pageSize,
      progress: progressReporter(process.stderr),
      signal: stop.signal,
    });
    return report(cli, outcome, command.json, settings.settings.MONGODB_URI);
  } finally {
    stop.release();
    await close();
  }
}
