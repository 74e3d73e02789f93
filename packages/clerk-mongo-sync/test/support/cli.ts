/**
 * Runs the package's bin as a user does: a child process (the bin's source,
 * through tsx), configured only through `env`, in a directory of its own (no
 * .env files but those a test writes there). NODE_ENV=test skips .env.local,
 * as Next does.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const BIN = path.resolve(import.meta.dirname, '..', '..', 'src', 'bin.ts');
const TSX = path.resolve(import.meta.dirname, '..', '..', '..', '..', 'node_modules', 'tsx', 'dist', 'loader.mjs');

export type CliRun = { code: number | null; stdout: string; stderr: string };

export function runBin(
  args: string[],
  env: Record<string, string>,
  cwd = mkdtempSync(path.join(tmpdir(), 'clerk-mongo-sync-cli-')),
): Promise<CliRun> {
  const base: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'test' };
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', TSX, BIN, ...args],
      { cwd, env: { ...base, ...env }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
    );
  });
}
