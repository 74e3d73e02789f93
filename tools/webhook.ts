/** `npm run webhook -- send <type> [options]` or `-- secret [--write]`: the engine's `send` and `secret` commands, with the app's defaults. */
import { runAppCli } from './lib/engine-cli';

runAppCli(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
