/**
 * `npm run doctor [-- --url <webhook endpoint>]`: checks configuration,
 * database, endpoint and a full signed round trip; exit code 0 only when all
 * pass. The checks live in tools/doctor.
 */
import { parseArgs } from 'node:util';
import type { CheckResult } from './doctor/result';
import { runDoctor } from './doctor/run';
import { webhookTarget } from './lib/dev-server';
import { loadLocalEnv } from './lib/local-env';

const USAGE = `Usage: npm run doctor [-- --url <webhook endpoint>]

Checks every link of the chain, each ✔ or ✘ with a one-line fix: the environment, the webhook secret,
the Clerk keys (asking Clerk when it answers), the database, the webhook endpoint, a signed round trip
(a throwaway user.created, removed again) and the indexes. Exit 0 only when every check passes.

  --url <endpoint>   the app's webhook endpoint; default: that of the running npm run dev (it records
                     its port in .data/dev-server.json), else http://localhost:3000/api/webhooks/clerk
  -h, --help         this text`;

function print(result: CheckResult): void {
  console.log(`${result.ok ? '✔' : '✘'} ${result.name}: ${result.detail}`);
  if (!result.ok && result.fix) console.log(`    fix: ${result.fix}`);
}

function parseOptions(): { url?: string; help?: boolean } | undefined {
  try {
    return parseArgs({ options: { url: { type: 'string' }, help: { type: 'boolean', short: 'h' } } }).values;
  } catch (error) {
    console.error(`doctor: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    return undefined;
  }
}

async function main() {
  const options = parseOptions();
  if (!options) return void (process.exitCode = 2);
  if (options.help) return console.log(USAGE);
  const { url, source } = webhookTarget(options.url);
  console.log(`clerk-mongo-sync doctor — endpoint ${url} (${source})\n`);
  const results = await runDoctor({ env: loadLocalEnv(), url, onResult: print });
  const failed = results.filter((result) => !result.ok).length;
  console.log(failed === 0 ? '\nAll checks passed.' : `\n${failed} of ${results.length} checks failed.`);
  process.exitCode = failed === 0 ? 0 : 1;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
