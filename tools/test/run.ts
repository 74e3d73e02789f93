/**
 * `npm test`: the set-up the suites need, then every suite with its own
 * runner — Vitest's unit and integration projects, Playwright's e2e suite,
 * Vitest's fault project — then each skipped test with its reason, and one
 * closing line `N passed, N failed, N skipped`, summed from the runners' JSON
 * reports. Exits non-zero when a test failed, a runner failed without
 * reporting a failed test, or a suite ran no test at all.
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

type Counts = { passed: number; failed: number; skipped: number };
/** A skipped test and why: Vitest's `context.skip(note)` (tools/test/skips-reporter.ts), Playwright's `test.skip(condition, description)`. */
const skip = z.object({ test: z.string(), file: z.string(), reason: z.string().optional() });
type Skip = z.infer<typeof skip>;
type Report = Counts & { skips: Skip[] };
type Suite = { name: string; command: string[]; report: string; env?: Record<string, string>; read: (json: unknown) => Report };

const vitestReport = z.object({
  numPassedTests: z.number(),
  numFailedTests: z.number(),
  numPendingTests: z.number(),
  numTodoTests: z.number(),
});
const vitestSkips = z.array(skip);

function vitest(project: string): Suite {
  const report = path.join(REPORTS, `${project}.json`);
  const skipsReport = path.join(REPORTS, `${project}.skips.json`);
  return {
    name: project,
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
    read: (json) => {
      const { numPassedTests, numFailedTests, numPendingTests, numTodoTests } = vitestReport.parse(json);
      const skips = existsSync(skipsReport) ? vitestSkips.parse(JSON.parse(readFileSync(skipsReport, 'utf8'))) : [];
      return { passed: numPassedTests, failed: numFailedTests, skipped: numPendingTests + numTodoTests, skips };
    },
  };
}

type PlaywrightSuite = { title: string; file?: string; specs?: PlaywrightSpec[]; suites?: PlaywrightSuite[] };
type PlaywrightSpec = {
  title: string;
  file: string;
  tests: Array<{ status: string; annotations: Array<{ type: string; description?: string }> }>;
};

const playwrightSpec: z.ZodType<PlaywrightSpec> = z.object({
  title: z.string(),
  file: z.string(),
  tests: z.array(
    z.object({ status: z.string(), annotations: z.array(z.object({ type: z.string(), description: z.string().optional() })) }),
  ),
});
const playwrightSuite: z.ZodType<PlaywrightSuite> = z.lazy(() =>
  z.object({
    title: z.string(),
    file: z.string().optional(),
    specs: z.array(playwrightSpec).optional(),
    suites: z.array(playwrightSuite).optional(),
  }),
);
const playwrightReport = z.object({
  stats: z.object({ expected: z.number(), unexpected: z.number(), flaky: z.number(), skipped: z.number() }),
  suites: z.array(playwrightSuite),
});

/** Every skipped spec in Playwright's report, with the description its skip annotation carries. */
function playwrightSkips(suites: readonly PlaywrightSuite[], titles: readonly string[] = []): Skip[] {
  return suites.flatMap((suite) => {
    const path = suite.file ? titles : [...titles, suite.title];
    const own = (suite.specs ?? []).flatMap((spec) =>
      spec.tests
        .filter((test) => test.status === 'skipped')
        .map((test) => ({
          test: [...path, spec.title].filter(Boolean).join(' › '),
          file: `tests/e2e/${spec.file}`,
          reason: test.annotations.find((annotation) => annotation.type === 'skip' || annotation.type === 'fixme')?.description,
        })),
    );
    return [...own, ...playwrightSkips(suite.suites ?? [], path)];
  });
}

const SUITES: Suite[] = [
  vitest('unit'),
  vitest('integration'),
  {
    name: 'e2e',
    command: ['npx', 'playwright', 'test', '--config', 'tests/playwright.config.ts'],
    report: PLAYWRIGHT_REPORT,
    read: (json) => {
      // A test that passed only on a retry counts as passed: retries are 0, so there are none.
      const { stats, suites } = playwrightReport.parse(json);
      return { passed: stats.expected + stats.flaky, failed: stats.unexpected, skipped: stats.skipped, skips: playwrightSkips(suites) };
    },
  },
  vitest('fault'),
];

const say = (line: string) => console.log(`\n▸ ${line}`);

function setUp(): void {
  say('Setup: the embedded test database');
  console.log(`  ${ensureLocalDbServer(console.log)}`);
  say('Setup: a browser for the e2e tests');
  console.log(`  ${ensureChromium(console.log)}`);
}

/** Runs one suite; a runner that failed without a failed test (a crash, a server that never came up) still counts as a failure. */
function runSuite(suite: Suite): Report & { note: string; seconds: number } {
  rmSync(suite.report, { force: true });
  for (const file of Object.values(suite.env ?? {})) rmSync(file, { force: true });
  say(`${suite.name} tests`);
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
  try {
    setUp();
  } catch (error) {
    console.error(`\n${error instanceof Error ? error.message : String(error)}`);
    console.log('0 passed, 1 failed, 0 skipped');
    process.exit(1);
  }
  const results = SUITES.map((suite) => ({ suite, ...runSuite(suite) }));
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
