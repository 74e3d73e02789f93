/**
 * Browser end-to-end tests: Chromium (Playwright's own or Debian's) against the production build of
 * the app on the embedded database (tests/e2e/support/server.ts). The tests
 * act as Clerk where Clerk's cloud would touch the app; nothing else is faked.
 */
import path from 'node:path';
import { defineConfig } from '@playwright/test';
import { chromiumExecutable } from '../tools/test/browser';
import { ensureRunSecrets } from '../tools/clerk/run-secrets';

// Once, in Playwright's main process; the web server and the workers inherit them.
ensureRunSecrets();

const ROOT = path.resolve(__dirname, '..');
const ARTIFACTS = path.join(__dirname, '.artifacts', 'e2e');
/** Set by Playwright from the web server's ready line (see `wait` below), before any worker starts. */
const appPort = process.env.E2E_APP_PORT;

export default defineConfig({
  testDir: path.join(__dirname, 'e2e'),
  outputDir: path.join(ARTIFACTS, 'results'),
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: true,
  workers: 2,
  retries: 0,
  forbidOnly: true,
  reporter: [
    ['list'],
    ['json', { outputFile: path.join(ARTIFACTS, 'report.json') }],
    ['html', { outputFolder: path.join(ARTIFACTS, 'html'), open: 'never' }],
  ],
  use: {
    baseURL: appPort ? `http://127.0.0.1:${appPort}` : undefined,
    browserName: 'chromium',
    headless: true,
    launchOptions: {
      // Playwright's own Chromium or Debian's (`npm test` installs one); nothing it does on its own reaches the network.
      executablePath: chromiumExecutable(),
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        // No DNS at all: every host name but the app's address fails at once, as offline.
        '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
      ],
    },
    screenshot: 'on',
    trace: 'retain-on-failure',
  },
  webServer: {
    command: 'node --import tsx tests/e2e/support/server.ts --exit-on-stdin-close',
    cwd: ROOT,
    env: { NEXT_TELEMETRY_DISABLED: '1' },
    // Named groups become E2E_APP_PORT, E2E_DB_PORT and E2E_CLERK_API_PORT in the test workers.
    wait: {
      stdout:
        /e2e app ready on port (?<e2e_app_port>\d+), database on port (?<e2e_db_port>\d+), clerk api on port (?<e2e_clerk_api_port>\d+)\n/,
    },
    stdout: 'pipe',
    // next build runs inside: minutes on a small machine, not seconds.
    timeout: 280_000,
    gracefulShutdown: { signal: 'SIGTERM', timeout: 15_000 },
  },
});
