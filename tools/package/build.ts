/**
 * The engine package (packages/clerk-mongo-sync) is consumed as an adopter
 * consumes it: through its build in dist/. `npm ci` builds it (the root's
 * `prepare`); whatever runs the app from source (the test runner, the
 * harness, `npm run dev`) makes sure the build is current first. `tsc -b` is
 * incremental: a second call with nothing changed costs about a second.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');
export const PACKAGE_DIR = path.join(ROOT, 'packages', 'clerk-mongo-sync');
const BUILD_CONFIG = path.join(PACKAGE_DIR, 'tsconfig.build.json');
const TSC = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

/** Builds dist/ from src/ where anything changed; throws with tsc's output when it does not compile. */
export function buildPackage(): void {
  try {
    execFileSync(process.execPath, [TSC, '-b', BUILD_CONFIG], { cwd: PACKAGE_DIR, stdio: 'pipe' });
  } catch (error) {
    const output = error instanceof Error && 'stdout' in error ? String(error.stdout) : '';
    throw new Error(`packages/clerk-mongo-sync does not build:\n${output}`);
  }
}

/** `tsc -b --watch`: rebuilds dist/ on every change to src/, for `npm run dev`. */
export function watchPackage(): ChildProcess {
  return spawn(process.execPath, [TSC, '-b', BUILD_CONFIG, '--watch', '--preserveWatchOutput'], { cwd: PACKAGE_DIR, stdio: 'pipe' });
}
