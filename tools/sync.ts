/**
 * `npm run sync -- backfill|reconcile [--dry-run] [--restart] [--json]`:
 * brings every Clerk user into MongoDB through the webhooks' order guard
 * (backfill), and also tombstones users Clerk no longer has (reconcile).
 * Needs only CLERK_SECRET_KEY and MONGODB_URI (+ MONGODB_DB, CLERK_API_URL),
 * from the environment or .env.local. Exit 0 when complete, 130 when stopped
 * with Ctrl-C, 1 otherwise, always with one line saying why.
 *
 * Runs with `--conditions=react-server` (see package.json) so the app's
 * `server-only` modules load outside Next.js.
 */
import { createClerkClient } from '@clerk/backend';
import { parseArgs } from 'node:util';
import { mongoClient } from '../lib/db/client';
import { MAX_PAGE_SIZE } from '../lib/sync/clerk-pages';
import { runSync, type SyncOutcome } from '../lib/sync/run';
import { progressReporter } from './sync/progress';
import { parseSyncSettings } from '../lib/sync/settings';
import { formatSummary, usersPerSecond } from './sync/summary';
import { loadLocalEnv } from './lib/local-env';

const USAGE = 'usage: npm run sync -- backfill|reconcile [--dry-run] [--restart] [--json] [--page-size <1-500>]';

const HELP = `${USAGE}

Brings every Clerk user into MongoDB through the webhooks' order guard, from Clerk's Backend API.
Needs CLERK_SECRET_KEY and MONGODB_URI (+ MONGODB_DB, CLERK_API_URL), from the environment or .env.local.

  backfill            every Clerk user into users (idempotent; resumes an interrupted run)
  reconcile           the same, then tombstones the users Clerk no longer has
  --dry-run           read everything, print what it would do, write nothing
  --restart           ignore an interrupted run's checkpoint
  --json              the summary as one JSON line
  --page-size <n>     users per request to Clerk, 1-${MAX_PAGE_SIZE} (default ${MAX_PAGE_SIZE})
  -h, --help          this text

Exit 0 when complete, 130 when stopped with Ctrl-C, 1 otherwise (with one line saying why), 2 for usage.`;

function fail(message: string, code = 1): void {
  console.error(`sync: ${message}`);
  process.exitCode = code;
}

/** Host and port of a connection string, never its credentials. */
function databaseHost(uri: string): string {
  return /^mongodb(?:\+srv)?:\/\/(?:[^@/]*@)?([^/?]+)/.exec(uri)?.[1] ?? 'the configured server';
}

function parseFlags() {
  try {
    return parseArgs({
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

function parseCommand() {
  const parsed = parseFlags();
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
function stopOnInterrupt(): AbortController {
  const controller = new AbortController();
  process.on('SIGINT', () => {
    if (controller.signal.aborted) process.exit(130);
    console.error('\nsync: stopping after the current page (Ctrl-C again to stop at once)…');
    controller.abort();
  });
  return controller;
}

function report(outcome: SyncOutcome, json: boolean, uri: string): void {
  if (outcome.status === 'database_unavailable') {
    return fail(`the database at ${databaseHost(uri)} is unreachable or did not answer (MONGODB_URI): ${outcome.message}`);
  }
  const { summary } = outcome;
  if (json) {
    const peakRssBytes = process.resourceUsage().maxRSS * 1024;
    console.log(JSON.stringify({ status: outcome.status, ...summary, usersPerSecond: usersPerSecond(summary), peakRssBytes }));
  } else {
    console.log(formatSummary(summary));
  }
  if (outcome.status === 'clerk_failed') {
    const kept = outcome.failure === 'key_rejected' ? '' : '; the checkpoint is kept, run again to resume';
    fail(`${outcome.message}${kept}`);
  }
  if (outcome.status === 'interrupted') fail('interrupted; run the same command again to resume from the checkpoint', 130);
}

async function main(): Promise<void> {
  const command = parseCommand();
  if (command === 'help') return console.log(HELP);
  if (!command) return fail(USAGE, 2);
  const settings = parseSyncSettings(loadLocalEnv());
  if (!settings.ok) return fail(settings.problems.join('; '));
  const { CLERK_SECRET_KEY, CLERK_API_URL, MONGODB_URI } = settings.settings;

  const clerk = createClerkClient({ secretKey: CLERK_SECRET_KEY, apiUrl: CLERK_API_URL });
  const controller = stopOnInterrupt();
  try {
    const outcome = await runSync({
      kind: command.kind,
      api: clerk.users,
      dryRun: command.dryRun,
      restart: command.restart,
      pageSize: command.pageSize,
      progress: progressReporter(process.stderr),
      signal: controller.signal,
    });
    report(outcome, command.json, MONGODB_URI);
  } finally {
    await mongoClient().close();
  }
}

main().catch((error: unknown) => {
  fail(error instanceof Error ? error.message : String(error));
});
