/**
 * The package as npm would publish it: `npm pack` (its `prepack` builds dist/
 * from scratch) into a folder, with the list of files the tarball holds, then
 * publint and Are the Types Wrong? on that very tarball.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PACKAGE_DIR, ROOT } from './build';

export type PackedPackage = { tarball: string; files: string[]; name: string; version: string };

const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

export function packPackage(destination: string): PackedPackage {
  mkdirSync(destination, { recursive: true });
  const output = execFileSync(NPM, ['pack', '--json', '--pack-destination', destination], {
    cwd: PACKAGE_DIR,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const [packed] = JSON.parse(output) as { filename: string; name: string; version: string; files: { path: string }[] }[];
  if (!packed) throw new Error(`npm pack printed no result: ${output}`);
  return {
    tarball: path.join(destination, packed.filename),
    files: packed.files.map((file) => file.path).sort(),
    name: packed.name,
    version: packed.version,
  };
}

export type LintResult = { ok: boolean; output: string };

function run(command: string, args: string[]): LintResult {
  try {
    return { ok: true, output: execFileSync(command, args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }) };
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    return { ok: false, output: `${stdout}${stderr}` };
  }
}

/** publint on the tarball, suggestions included, warnings counted as errors. */
export function publint(tarball: string): LintResult {
  return run(process.execPath, [path.join(ROOT, 'node_modules', 'publint', 'src', 'cli.js'), 'run', tarball, '--strict']);
}

/**
 * Are the Types Wrong? on the tarball, with the strictest profile an ESM-only
 * package can pass: every resolution mode but CommonJS `require` (node10 and
 * node16-cjs), which an ESM-only package does not offer.
 */
export function arethetypeswrong(tarball: string): LintResult {
  return run(process.execPath, [
    path.join(ROOT, 'node_modules', '@arethetypeswrong', 'cli', 'dist', 'index.js'),
    tarball,
    '--profile',
    'esm-only',
    '--no-emoji',
    '--no-color',
  ]);
}

/** The tarball holds the build and the package's own documents, nothing else (no sources, tests or configs). */
export function unexpectedFiles(files: readonly string[]): string[] {
  const expected = /^(dist\/.+\.(js|d\.ts|js\.map|d\.ts\.map)|README\.md|LICENSE|CHANGELOG\.md|package\.json)$/;
  return files.filter((file) => !expected.test(file));
}
