/**
 * What `npm test` (tools/test/run.ts) reads from the runners' JSON reports:
 * passed, failed and skipped counts, and each skipped test with its reason.
 */
import { z } from 'zod';

export type Counts = { passed: number; failed: number; skipped: number };

/** A skipped test and why: Vitest's `context.skip(note)` (tools/test/skips-reporter.ts), Playwright's `test.skip(condition, description)`. */
const skip = z.object({ test: z.string(), file: z.string(), reason: z.string().optional() });
export type Skip = z.infer<typeof skip>;
export type Report = Counts & { skips: Skip[] };

const vitestReport = z.object({
  numPassedTests: z.number(),
  numFailedTests: z.number(),
  numPendingTests: z.number(),
  numTodoTests: z.number(),
});

/** Vitest's JSON report (counts) and the skips reporter's list (`skips`, absent when nothing was written). */
export function readVitestReport(json: unknown, skips: unknown = []): Report {
  const { numPassedTests, numFailedTests, numPendingTests, numTodoTests } = vitestReport.parse(json);
  return { passed: numPassedTests, failed: numFailedTests, skipped: numPendingTests + numTodoTests, skips: z.array(skip).parse(skips) };
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

/**
 * Every skipped spec in Playwright's report, with the description its skip annotation carries. The top-level
 * suites are the files (named in `file`); the ones below them are `describe` blocks, whose titles lead the test's.
 */
function playwrightSkips(suites: readonly PlaywrightSuite[], titles: readonly string[] = [], inFile = false): Skip[] {
  return suites.flatMap((suite) => {
    const path = inFile ? [...titles, suite.title] : titles;
    const own = (suite.specs ?? []).flatMap((spec) =>
      spec.tests
        .filter((test) => test.status === 'skipped')
        .map((test) => ({
          test: [...path, spec.title].filter(Boolean).join(' › '),
          file: `tests/e2e/${spec.file}`,
          reason: test.annotations.find((annotation) => annotation.type === 'skip' || annotation.type === 'fixme')?.description,
        })),
    );
    return [...own, ...playwrightSkips(suite.suites ?? [], path, true)];
  });
}

/** Playwright's JSON report. A test that passed only on a retry counts as passed (retries are 0: there are none). */
export function readPlaywrightReport(json: unknown): Report {
  const { stats, suites } = playwrightReport.parse(json);
  return { passed: stats.expected + stats.flaky, failed: stats.unexpected, skipped: stats.skipped, skips: playwrightSkips(suites) };
}
