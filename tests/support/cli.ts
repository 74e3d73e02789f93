/**
 * Runs one of the tools/ CLIs as a user does: a child process under
 * `--conditions=react-server` (the app's `server-only` modules load), configured only through
 * `env`. NODE_ENV=test makes Next's loader skip a developer's .env.local.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

export type CliRun = { code: number | null; stdout: string; stderr: string };

export function runToolCli(script: string, args: string[], env: Record<string, string>): Promise<CliRun> {
  const base: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'test' };
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--conditions=react-server', '--import', 'tsx', script, ...args],
      { cwd: ROOT, env: { ...base, ...env }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
    );
  });
}
