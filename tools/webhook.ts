/** `npm run webhook -- send <type> [options]`: see tools/webhook/cli.ts. */
import { loadLocalEnv } from './lib/local-env';
import { LAST_USER_FILE, runWebhookCli } from './webhook/cli';

async function main() {
  const code = await runWebhookCli(process.argv.slice(2), {
    env: loadLocalEnv(),
    lastUserFile: LAST_USER_FILE,
    out: (line) => console.log(line),
    err: (line) => console.error(line),
  });
  process.exitCode = code;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
