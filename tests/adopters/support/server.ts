/** An adopter's server process: started on a free port, ready once it answers, stopped with its children. */
import { spawn, type ChildProcess } from 'node:child_process';
import { freePort, stopChild } from '../../../tools/db/local-db';

export type AdopterServer = { origin: string; log: () => string; stop(): Promise<void> };

type Start = {
  /** The command after `node`, with `{port}` standing for the port. */
  args: string[];
  cwd: string;
  env: Record<string, string>;
  /** A path that answers (any status) once the server is up. */
  readyPath: string;
};

async function waitUntilAnswering(url: string, child: ChildProcess, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`exited with code ${child.exitCode}`);
    try {
      await fetch(url, { signal: AbortSignal.timeout(2_000) });
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

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
    await waitUntilAnswering(`${origin}${readyPath}`, child);
  } catch (error) {
    await stopChild(child);
    throw new Error(`the adopter's server did not come up: ${error instanceof Error ? error.message : String(error)}\n${log}`);
  }
  return { origin, log: () => log, stop: () => stopChild(child) };
}
