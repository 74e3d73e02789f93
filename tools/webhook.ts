/** `npm run webhook -- send <type> [options]` or `-- secret [--write]`: see tools/webhook/cli.ts. */
import { loadLocalEnv } from './lib/local-env';
import { DEV_SERVER_FILE } from './lib/dev-server';
import { ENV_LOCAL_FILE, LAST_USER_FILE, runWebhookCli } from './webhook/cli';

async function main() {
  const code = await runWebhookCli(process.argv.slice(2), {
    env: loadLocalEnv(),
    lastUserFile: LAST_USER_FILE,
    devServerFile: DEV_SERVER_FILE,
    envLocalFile: ENV_LOCAL_FILE,
    out: (line) => console.log(line),
    err: (line) => console.error(line),
  });
  process.exitCode = code;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
