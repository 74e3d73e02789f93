/**
 * `clerk-mongo-sync doctor [--url <webhook endpoint>]`: checks configuration,
 * database, endpoint and a full signed round trip; exit code 0 only when all
 * pass. The checks live beside this file.
 */
import { parseArgs } from 'node:util';
import type { Cli } from '../context.js';
import type { CheckResult } from './result.js';
import { runDoctor } from './run.js';

function usage(cli: Cli): string {
  return `Usage: ${cli.invokedAs('doctor')} [--url <webhook endpoint>]

Checks every link of the chain, each ✔ or ✘ with a one-line fix: the environment, the webhook secret,
the Clerk keys (asking Clerk when it answers), the database, the webhook endpoint, a signed round trip
(a throwaway user.created, removed again) and the indexes. Exit 0 only when every check passes.

  --url <endpoint>   the app's webhook endpoint; default ${cli.endpoint.url}
                     (${cli.endpoint.source})
  -h, --help         this text`;
}

function parseOptions(argv: string[], cli: Cli): { url?: string; help?: boolean } | undefined {
  try {
    return parseArgs({ args: argv, options: { url: { type: 'string' }, help: { type: 'boolean', short: 'h' } } }).values;
  } catch (error) {
    cli.err(`doctor: ${error instanceof Error ? error.message : String(error)}\n\n${usage(cli)}`);
    return undefined;
  }
}

export async function runDoctorCommand(argv: string[], cli: Cli): Promise<number> {
  const options = parseOptions(argv, cli);
  if (!options) return 2;
  if (options.help) {
    cli.out(usage(cli));
    return 0;
  }
  const { url, source } = options.url ? { url: options.url, source: 'from --url' } : cli.endpoint;
  cli.out(`clerk-mongo-sync doctor — endpoint ${url} (${source})\n`);
  const print = (result: CheckResult) => {
    cli.out(`${result.ok ? '✔' : '✘'} ${result.name}: ${result.detail}`);
    if (!result.ok && result.fix) cli.out(`    fix: ${result.fix}`);
  };
  const results = await runDoctor({
    env: cli.env,
    url,
    onResult: print,
    fallbackDatabase: cli.fallbackDatabase,
    collections: cli.collections,
    startApp: cli.startApp,
    secretWrite: `${cli.invokedAs('secret')} --write`,
  });
  const failed = results.filter((result) => !result.ok).length;
  cli.out(failed === 0 ? '\nAll checks passed.' : `\n${failed} of ${results.length} checks failed.`);
  return failed === 0 ? 0 : 1;
}
