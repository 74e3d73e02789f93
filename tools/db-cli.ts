/**
 * `npm run db -- users | user <clerkId> | deliveries [--limit N] [--json]`:
 * the engine's `db` command, with the app's defaults (the embedded database
 * when MONGODB_URI is not set, the app's database name, and a user's
 * assessments beside their sessions).
 */
import { runAppCli } from './lib/engine-cli';

runAppCli(['db', ...process.argv.slice(2)]).catch((error: unknown) => {
  console.error(`db: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
