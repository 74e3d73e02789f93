/**
 * What `npm test` reads from the runners' reports: counts, and each skipped
 * test with its reason, in the shapes Vitest 4 and Playwright write them.
 */
import { describe, expect, it } from 'vitest';
import { readPlaywrightReport, readVitestReport } from '../../tools/test/reports';

describe("npm test's reading of the runners' reports", () => {
  it("counts Vitest's skipped and todo tests as skipped, and takes each reason from the skips reporter", () => {
    const json = { numPassedTests: 33, numFailedTests: 1, numPendingTests: 1, numTodoTests: 1, testResults: [] };
    const skips = [
      {
        test: 'hourly delivery chart > counts the same with one $dateTrunc aggregation as with one range query per hour',
        file: 'tests/integration/admin-overview.test.ts',
        reason: 'this server cannot $group by $dateTrunc (MongoDB 5.0+)',
      },
      { test: 'a test skipped with .skip', file: 'tests/unit/x.test.ts' },
    ];
    expect(readVitestReport(json, skips)).toEqual({ passed: 33, failed: 1, skipped: 2, skips });
  });

  it("names a Playwright skip by its describe blocks and title, with the skip annotation's description", () => {
    const test = (status: string, annotations: Array<{ type: string; description?: string }> = []) => ({
      status,
      annotations,
      results: [],
      projectName: '',
    });
    const json = {
      stats: { startTime: '2026-12-03T18:00:00.000Z', duration: 1000, expected: 5, skipped: 2, unexpected: 0, flaky: 1 },
      suites: [
        {
          title: 'admin.spec.ts',
          file: 'admin.spec.ts',
          specs: [{ title: 'lists deliveries', file: 'admin.spec.ts', tests: [test('expected')] }],
          suites: [
            {
              title: 'with a production instance',
              file: 'admin.spec.ts',
              specs: [
                {
                  title: 'refuses a foreign origin',
                  file: 'admin.spec.ts',
                  tests: [test('skipped', [{ type: 'skip', description: 'needs pk_live keys' }])],
                },
              ],
            },
          ],
        },
        {
          title: 'public-pages.spec.ts',
          file: 'public-pages.spec.ts',
          specs: [{ title: 'landing', file: 'public-pages.spec.ts', tests: [test('skipped')] }],
        },
      ],
    };
    expect(readPlaywrightReport(json)).toEqual({
      passed: 6,
      failed: 0,
      skipped: 2,
      skips: [
        { test: 'with a production instance › refuses a foreign origin', file: 'tests/e2e/admin.spec.ts', reason: 'needs pk_live keys' },
        { test: 'landing', file: 'tests/e2e/public-pages.spec.ts', reason: undefined },
      ],
    });
  });
});
