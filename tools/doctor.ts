/**
 * `npm run doctor [-- --url <webhook endpoint>]`: checks configuration,
 * database, endpoint and a full signed round trip; exit code 0 only when all
 * pass. The checks live in tools/doctor.
 */
import { parseArgs } from 'node:util';
import type { CheckResult } from './doctor/result';
import { runDoctor } from './doctor/run';
import { DEFAULT_WEBHOOK_URL, loadLocalEnv, readKeylessKeys } from './lib/local-env';

function print(result: CheckResult): void {
  console.log(`${result.ok ? '✔' : '✘'} ${result.name}: ${result.detail}`);
  if (!result.ok && result.fix) console.log(`    fix: ${result.fix}`);
}

async function main() {
  const { values } = parseArgs({ options: { url: { type: 'string' } } });
  const url = values.url ?? DEFAULT_WEBHOOK_URL;
  console.log(`clerk-mongo-sync doctor — endpoint ${url}\n`);
  const results = await runDoctor({ env: loadLocalEnv(), url, keyless: readKeylessKeys(), onResult: print });
  const failed = results.filter((result) => !result.ok).length;
  console.log(failed === 0 ? '\nAll checks passed.' : `\n${failed} of ${results.length} checks failed.`);
  process.exitCode = failed === 0 ? 0 : 1;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
