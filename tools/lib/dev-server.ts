/**
 * Where `npm run dev` really listens: it picks the port (3000, or the next
 * free one, or the one given) and records it in .data/dev-server.json while
 * it runs, so the CLIs that talk to the app (`npm run webhook`, `npm run
 * doctor`) find it instead of assuming port 3000.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { ROOT } from './local-env';

export const DEV_SERVER_FILE = path.join(ROOT, '.data', 'dev-server.json');

/** Next's own default, and what the CLIs try when no `npm run dev` is recorded. */
export const DEFAULT_DEV_PORT = 3000;

export type DevServer = { port: number; pid: number };

export function recordDevServer(server: DevServer, file = DEV_SERVER_FILE): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(server)}\n`);
}

/** Removes the record, unless another `npm run dev` has replaced it since. */
export function forgetDevServer(pid: number, file = DEV_SERVER_FILE): void {
  if (readRecord(file)?.pid === pid) rmSync(file, { force: true });
}

function readRecord(file: string): DevServer | undefined {
  try {
    const { port, pid } = JSON.parse(readFileSync(file, 'utf8')) as Partial<DevServer>;
    return Number.isInteger(port) && Number.isInteger(pid) ? { port: port!, pid: pid! } : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The `npm run dev` running now, if one recorded itself (a record left by a killed one does not count). */
export function runningDevServer(file = DEV_SERVER_FILE): DevServer | undefined {
  const record = readRecord(file);
  return record && isAlive(record.pid) ? record : undefined;
}

/** Where a CLI sends its requests, and how it came to that address (said when nothing answers there). */
export type AppTarget = { url: string; source: string };

/** The webhook endpoint of the running `npm run dev`, else of port 3000; `--url` overrides both. */
export function webhookTarget(url: string | undefined, file = DEV_SERVER_FILE): AppTarget {
  if (url) return { url, source: 'from --url' };
  const running = runningDevServer(file);
  if (running) return { url: endpointAt(running.port), source: `where npm run dev listens, from ${path.relative(ROOT, file)}` };
  return {
    url: endpointAt(DEFAULT_DEV_PORT),
    source: `the default: no running npm run dev recorded in ${path.relative(ROOT, file)}; pass --url <endpoint> for another address`,
  };
}

function endpointAt(port: number): string {
  return `http://localhost:${port}/api/webhooks/clerk`;
}

/** Whether `port` can be listened on as Next listens (every interface, IPv6 and IPv4). */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
      .once('error', () => resolve(false))
      .listen(port, () => server.close(() => resolve(true)));
  });
}

/**
 * The port `npm run dev` asks Next for: the one given (`-p`, `--port`, `PORT`),
 * else 3000, else the next free one, as Next itself would move on. Chosen here
 * so that it is known, not guessed from Next's output.
 */
export async function choosePort(
  args: readonly string[],
  env: Record<string, string | undefined>,
): Promise<{ port: number; given: boolean }> {
  const given = portArgument(args) ?? (env.PORT ? Number(env.PORT) : undefined);
  if (given !== undefined) return { port: given, given: true };
  for (let port = DEFAULT_DEV_PORT; port < DEFAULT_DEV_PORT + 100; port++) {
    if (await isPortFree(port)) return { port, given: false };
  }
  return { port: DEFAULT_DEV_PORT, given: false };
}

/** `-p 3001`, `-p=3001`, `--port 3001`, `--port=3001`: Next's own spellings. */
export function portArgument(args: readonly string[]): number | undefined {
  for (const [index, arg] of args.entries()) {
    const inline = /^(?:-p|--port)=(\d+)$/.exec(arg);
    if (inline) return Number(inline[1]);
    if ((arg === '-p' || arg === '--port') && /^\d+$/.test(args[index + 1] ?? '')) return Number(args[index + 1]);
  }
  return undefined;
}
