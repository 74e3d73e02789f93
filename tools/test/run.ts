/**
 * `npm test`: the set-up the suites need, then every suite with its own
 * runner — Vitest's unit and integration projects, Playwright's e2e suite,
 * Vitest's fault project — and one closing line `N passed, N failed`, summed
 * from the runners' JSON reports. Exits non-zero when a test failed, a runner
 * failed without reporting a failed test, or a suite ran no test at all.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ensureLocalDbServer } from '../db/local-db';
import { ensureChromium } from './browser';

const ROOT = path.resolve(__dirname, '..', '..');
const REPORTS = path.join(ROOT, 'tests', '.artifacts', 'reports');
/** Where tests/playwright.config.ts writes its JSON report. */
const PLAYWRIGHT_REPORT = path.join(ROOT, 'tests', '.artifacts', 'e2e', 'report.json');

type Counts = { passed: number; failed: number };
type Suite = { name: string; command: string[]; report: string; read: (json: unknown) => Counts; database: boolean };

const vitestReport = z.object({ numPassedTests: z.number(), numFailedTests: z.number() });
const playwrightReport = z.object({ stats: z.object({ expected: z.number(), unexpected: z.number(), flaky: z.number() }) });

function vitest(project: string, database: boolean): Suite {
  const report = path.join(REPORTS, `${project}.json`);
  return {
    name: project,
    database,
    command: [
      'npx',
      'vitest',
      'run',
      '--config',
      'tests/vitest.config.mts',
      '--project',
      project,
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${report}`,
    ],
    report,
    read: (json) => {
      const { numPassedTests, numFailedTests } = vitestReport.parse(json);
      return { passed: numPassedTests, failed: numFailedTests };
    },
  };
}

const SUITES: Suite[] = [
  vitest('unit', false),
  vitest('integration', true),
  {
    name: 'e2e',
    database: true,
    command: ['npx', 'playwright', 'test', '--config', 'tests/playwright.config.ts'],
    report: PLAYWRIGHT_REPORT,
    read: (json) => {
      // A test that passed only on a retry counts as passed: retries are 0, so there are none.
      const { expected, unexpected, flaky } = playwrightReport.parse(json).stats;
      return { passed: expected + flaky, failed: unexpected };
    },
  },
  vitest('fault', true),
];

const say = (line: string) => console.log(`\n▸ ${line}`);

/** Makes sure the suites have a database server and a browser; the server, as each suite's heading names it. */
function setUp(): string {
  say('Setup: the embedded test database');
  const server = ensureLocalDbServer(console.log);
  console.log(`  ${server}`);
  say('Setup: a browser for the e2e tests');
  console.log(`  ${ensureChromium(console.log)}`);
  return server;
}

/** Runs one suite; a runner that failed without a failed test (a crash, a server that never came up) still counts as a failure. */
function runSuite(suite: Suite, server: string): Counts & { note: string; seconds: number } {
  rmSync(suite.report, { force: true });
  say(`${suite.name} tests, ${suite.database ? `on ${server}` : 'no database'}`);
  const startedAt = Date.now();
  const [command, ...args] = suite.command as [string, ...string[]];
  const { status } = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit', env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' } });
  const seconds = Math.round((Date.now() - startedAt) / 1000);
  let counts: Counts = { passed: 0, failed: 0 };
  try {
    if (existsSync(suite.report)) counts = suite.read(JSON.parse(readFileSync(suite.report, 'utf8')));
  } catch {
    // Unreadable report: judged below as a suite that reported nothing.
  }
  if (status !== 0 && counts.failed === 0)
    return { ...counts, failed: 1, note: ` (the runner exited ${status} without completing)`, seconds };
  if (counts.passed + counts.failed === 0) return { ...counts, failed: 1, note: ' (no test results: the suite ran nothing)', seconds };
  return { ...counts, note: '', seconds };
}

function main(): void {
  mkdirSync(REPORTS, { recursive: true });
  let server: string;
  try {
    server = setUp();
  } catch (error) {
    console.error(`\n${error instanceof Error ? error.message : String(error)}`);
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
  const results = SUITES.map((suite) => ({ suite, ...runSuite(suite, server) }));
  console.log('');
  for (const { suite, passed, failed, seconds, note } of results) {
    console.log(`${suite.name.padEnd(12)} ${String(passed).padStart(4)} passed, ${failed} failed in ${seconds}s${note}`);
  }
  const passed = results.reduce((sum, result) => sum + result.passed, 0);
  const failed = results.reduce((sum, result) => sum + result.failed, 0);
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed === 0 ? 0 : 1;
}

main();
