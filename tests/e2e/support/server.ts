/**
 * Playwright's web server for the e2e suite: the production build of the app
 * (`next build` + `next start`) on a fresh embedded database, configured like
 * a Clerk development instance whose secrets exist only for this run (see
 * run-secrets.ts). Prints the port on one line for the config to capture, and
 * stops the app and the database, and removes the data, when told to stop or
 * when Playwright goes away (its stdin pipe closes).
 */
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startLocalDb, type LocalDb } from '../../../tools/db/local-db';
import { startClerkApiDouble, type ClerkApiDouble } from '../../../tools/clerk/api-double';
import { buildApp, startApp, TEST_CLERK_KEYS, type NextServer } from '../../../tools/harness/next-server';
import { E2E_DATABASE } from './database';
import { runSecrets } from '../../../tools/clerk/run-secrets';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const DIST_DIR = '.next-e2e';
const ARTIFACTS = path.join(ROOT, 'tests', '.artifacts', 'e2e');
const SERVER_LOG = path.join(ARTIFACTS, 'server.log');

let database: LocalDb | undefined;
let app: NextServer | undefined;
let clerkApi: ClerkApiDouble | undefined;
let dataDir: string | undefined;
let stopping: Promise<void> | undefined;

function stop(): Promise<void> {
  stopping ??= (async () => {
    await app?.stop();
    await clerkApi?.close();
    await database?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  })();
  return stopping;
}

function exitAfterStop(code: number) {
  void stop().finally(() => process.exit(code));
}

async function main() {
  process.on('SIGTERM', () => exitAfterStop(0));
  process.on('SIGINT', () => exitAfterStop(0));
  if (process.argv.includes('--exit-on-stdin-close')) {
    process.stdin.on('end', () => exitAfterStop(0)).resume();
  }

  const secrets = runSecrets();
  mkdirSync(ARTIFACTS, { recursive: true });
  writeFileSync(SERVER_LOG, '');

  dataDir = mkdtempSync(path.join(tmpdir(), 'clerk-mongo-sync-e2e-'));
  database = await startLocalDb({ dataDir });
  console.log(`[e2e] database: ${database.description} at ${database.uri}`);

  // The app's server-side calls to Clerk's Backend API (the dashboard's just-in-time sync) reach the local
  // double: nothing leaves the machine. It knows only the users a test registers in it (tests/e2e/support/clerk.ts).
  clerkApi = await startClerkApiDouble({ secretKey: TEST_CLERK_KEYS.CLERK_SECRET_KEY });

  // Clerk's keys and CLERK_JWT_KEY are read by the middleware, whose env is fixed at build time.
  const clerkEnv = {
    ...TEST_CLERK_KEYS,
    // As .env.local.example sets them: signed-out redirects stay on the app's origin, where the pages' policy
    // lets the client's prefetches follow them (connect-src 'self'), instead of going to Clerk's Account Portal.
    NEXT_PUBLIC_CLERK_SIGN_IN_URL: '/sign-in',
    NEXT_PUBLIC_CLERK_SIGN_UP_URL: '/sign-up',
    CLERK_JWT_KEY: secrets.jwtPublicKey,
    CLERK_API_URL: clerkApi.url,
  };
  const startedBuild = Date.now();
  console.log(`[e2e] next build into ${DIST_DIR}…`);
  buildApp({ distDir: DIST_DIR, env: clerkEnv });
  console.log(`[e2e] built in ${Math.round((Date.now() - startedBuild) / 1000)} s`);

  app = await startApp({
    distDir: DIST_DIR,
    env: {
      ...clerkEnv,
      MONGODB_URI: database.uri,
      MONGODB_DB: E2E_DATABASE,
      CLERK_WEBHOOK_SECRET: secrets.webhookSecret,
      // Explicit, so a developer's .env.local cannot change what the suite tests.
      ADMIN_USER_IDS: '',
    },
    onOutput: (text) => appendFileSync(SERVER_LOG, text),
  });
  // tests/playwright.config.ts waits for this line and hands the port to the test workers.
  console.log(
    `[e2e] e2e app ready on port ${new URL(app.origin).port}, database on port ${database.port}, clerk api on port ${new URL(clerkApi.url).port}`,
  );
  console.log(`[e2e] server log: ${path.relative(ROOT, SERVER_LOG)}`);
}

main().catch((error: unknown) => {
  console.error(`[e2e] the test server could not start: ${error instanceof Error ? error.message : String(error)}`);
  exitAfterStop(1);
});
