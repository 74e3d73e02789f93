/**
 * A Vitest reporter for `npm test` (tools/test/run.ts): writes every skipped
 * test with its reason (the note given to `context.skip(note)`) as JSON to
 * the file named by SKIPS_REPORT. Vitest's own JSON report counts skipped
 * tests but drops their notes.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';

export default class SkipsReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const file = process.env.SKIPS_REPORT;
    if (!file) return;
    const skips = testModules.flatMap((testModule) =>
      [...testModule.children.allTests('skipped')].map((testCase) => {
        const result = testCase.result();
        return {
          test: testCase.fullName,
          file: path.relative(process.cwd(), testModule.moduleId),
          reason: result.state === 'skipped' ? result.note : undefined,
        };
      }),
    );
    writeFileSync(file, JSON.stringify(skips, null, 2));
  }
}
