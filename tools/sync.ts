/**
 * `npm run sync -- backfill|reconcile [--dry-run] [--restart] [--json]`: the
 * engine's `sync` command through the app's own engine (lib/clerk-sync.ts),
 * so its `mapUser` fields (the role) are written too, on the app's shared
 * client: the database of MONGODB_URI, else the embedded one of `npm run dev`.
 *
 * Runs with `--conditions=react-server` (see package.json) so the app's
 * `server-only` modules load outside Next.js.
 */
import { runCli } from 'clerk-mongo-sync/cli';
import { clerkSync } from '../lib/clerk-sync';
import { mongoClient } from '../lib/db/client';
import { appCliOptions } from './lib/engine-cli';
import { DEV_DATABASE_URI, loadLocalEnv } from './lib/local-env';

async function main(): Promise<void> {
  const env = loadLocalEnv();
  // The app's client reads MONGODB_URI from the environment, as the app does: the embedded database unless one is set.
  env.MONGODB_URI ||= DEV_DATABASE_URI;
  try {
    process.exitCode = await runCli(['sync', ...process.argv.slice(2)], { ...appCliOptions({ env }), clerkSync });
  } finally {
    await mongoClient().close();
  }
}

main().catch((error: unknown) => {
  console.error(`sync: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
