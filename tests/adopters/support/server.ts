/** An adopter's server process: started on a free port, ready once it answers, stopped with its children. */
import { spawn } from 'node:child_process';
import { freePort, stopChild } from '../../../tools/db/local-db';
import { waitUntilAnswering } from '../../../tools/harness/next-server';

export type AdopterServer = { origin: string; log: () => string; stop(): Promise<void> };

type Start = {
  /** The command after `node`, with `{port}` standing for the port. */
  args: string[];
  cwd: string;
  env: Record<string, string>;
  /** A path that answers (any status) once the server is up. */
  readyPath: string;
};

export async function startServer({ args, cwd, env, readyPath }: Start): Promise<AdopterServer> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    args.map((arg) => arg.replace('{port}', String(port))),
    {
      cwd,
      // Only what the adopter's server is given: nothing of this repository's environment leaks into it.
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'production', ...env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let log = '';
  child.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const origin = `http://127.0.0.1:${port}`;
  try {
    // A first `next start` of a fresh build takes longer than the harness's rebuilt one.
    await waitUntilAnswering(`${origin}${readyPath}`, child, 90_000);
  } catch (error) {
    await stopChild(child);
    throw new Error(`the adopter's server did not come up: ${error instanceof Error ? error.message : String(error)}\n${log}`);
  }
  return { origin, log: () => log, stop: () => stopChild(child) };
}
