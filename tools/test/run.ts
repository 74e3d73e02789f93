/**
 * `npm test`: the set-up the suites need, then every suite with its own
 * runner — Vitest's unit, integration and adopters projects, Playwright's e2e
 * suite, Vitest's fault project — then each skipped test with its reason, and one
 * closing line `N passed, N failed, N skipped`, summed from the runners' JSON
 * reports. Exits non-zero when a test failed, a runner failed without
 * reporting a failed test, or a suite ran no test at all.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { ensureLocalDbServer } from '../db/local-db';
import { buildPackage } from '../package/build';
import { ensureChromium } from './browser';
import { readPlaywrightReport, readVitestReport, type Counts, type Report } from './reports';

const ROOT = path.resolve(__dirname, '..', '..');
const REPORTS = path.join(ROOT, 'tests', '.artifacts', 'reports');
/** Where tests/playwright.config.ts writes its JSON report. */
const PLAYWRIGHT_REPORT = path.join(ROOT, 'tests', '.artifacts', 'e2e', 'report.json');

type Suite = {
  name: string;
  command: string[];
  report: string;
  env?: Record<string, string>;
  read: (json: unknown) => Report;
  /** Whether the suite runs on the launched database (its heading names the server). */
  database: boolean;
};

function vitest(project: string, database: boolean): Suite {
  const report = path.join(REPORTS, `${project}.json`);
  const skipsReport = path.join(REPORTS, `${project}.skips.json`);
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
      '--reporter=./tools/test/skips-reporter.ts',
    ],
    report,
    env: { SKIPS_REPORT: skipsReport },
    read: (json) => readVitestReport(json, existsSync(skipsReport) ? JSON.parse(readFileSync(skipsReport, 'utf8')) : []),
  };
}

const SUITES: Suite[] = [
  vitest('unit', false),
  vitest('integration', true),
  // The packed package, installed offline by two apps that are not this one (tests/adopters).
  vitest('adopters', true),
  {
    name: 'e2e',
    database: true,
    command: ['npx', 'playwright', 'test', '--config', 'tests/playwright.config.ts'],
    report: PLAYWRIGHT_REPORT,
    read: readPlaywrightReport,
  },
  vitest('fault', true),
];

const say = (line: string) => console.log(`\n▸ ${line}`);

/** Makes sure the suites have a database server and a browser; the server, as each suite's heading names it. */
function setUp(): string {
  say('Setup: the engine package, built (the app and its tools run on its build)');
  buildPackage();
  console.log('  packages/clerk-mongo-sync/dist is current');
  say('Setup: the embedded test database');
  const server = ensureLocalDbServer(console.log);
  console.log(`  ${server}`);
  say('Setup: a browser for the e2e tests');
  console.log(`  ${ensureChromium(console.log)}`);
  return server;
}

/** Runs one suite; a runner that failed without a failed test (a crash, a server that never came up) still counts as a failure. */
function runSuite(suite: Suite, server: string): Report & { note: string; seconds: number } {
  rmSync(suite.report, { force: true });
  for (const file of Object.values(suite.env ?? {})) rmSync(file, { force: true });
  say(`${suite.name} tests, ${suite.database ? `on ${server}` : 'no database'}`);
  const startedAt = Date.now();
  const [command, ...args] = suite.command as [string, ...string[]];
  const { status } = spawnSync(command, args, {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', ...suite.env },
  });
  const seconds = Math.round((Date.now() - startedAt) / 1000);
  let report: Report = { passed: 0, failed: 0, skipped: 0, skips: [] };
  try {
    if (existsSync(suite.report)) report = suite.read(JSON.parse(readFileSync(suite.report, 'utf8')));
  } catch {
    // Unreadable report: judged below as a suite that reported nothing.
  }
  if (status !== 0 && report.failed === 0)
    return { ...report, failed: 1, note: ` (the runner exited ${status} without completing)`, seconds };
  if (report.passed + report.failed === 0) return { ...report, failed: 1, note: ' (no test results: the suite ran nothing)', seconds };
  return { ...report, note: '', seconds };
}

function main(): void {
  mkdirSync(REPORTS, { recursive: true });
  let server: string;
  try {
    server = setUp();
  } catch (error) {
    console.error(`\n${error instanceof Error ? error.message : String(error)}`);
    console.log('0 passed, 1 failed, 0 skipped');
    process.exit(1);
  }
  const results = SUITES.map((suite) => ({ suite, ...runSuite(suite, server) }));
  console.log('');
  for (const { suite, passed, failed, skipped, seconds, note } of results) {
    console.log(
      `${suite.name.padEnd(12)} ${String(passed).padStart(4)} passed, ${failed} failed, ${skipped} skipped in ${seconds}s${note}`,
    );
  }
  const skips = results.flatMap(({ suite, skips }) => skips.map((skip) => ({ suite: suite.name, ...skip })));
  if (skips.length > 0) {
    console.log(`\nskipped (${skips.length}):`);
    for (const skip of skips) console.log(`  ${skip.suite}: ${skip.file} › ${skip.test} — ${skip.reason ?? 'no reason given'}`);
  }
  const sum = (count: keyof Counts) => results.reduce((total, result) => total + result[count], 0);
  console.log(`${sum('passed')} passed, ${sum('failed')} failed, ${sum('skipped')} skipped`);
  process.exitCode = sum('failed') === 0 ? 0 : 1;
}

main();
