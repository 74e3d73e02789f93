/**
 * `npm run doctor [-- --url <webhook endpoint>]`: the engine's `doctor`, with
 * the app's defaults (the endpoint of the running `npm run dev`, the embedded
 * database when MONGODB_URI is not set). Exit 0 only when every check passes.
 */
import { runAppCli } from './lib/engine-cli';

runAppCli(['doctor', ...process.argv.slice(2)]).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
