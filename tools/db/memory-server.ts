/**
 * A real `mongod` binary from mongodb-memory-server (its -core package, which
 * downloads nothing at `npm ci`): taken from its cache, else downloaded once
 * from fastdl.mongodb.org (or MONGOMS_DOWNLOAD_MIRROR) and cached.
 *
 * Runs in a child process so that every wait is bounded and nothing is left
 * behind: the child first checks in REACH_MS that the download host answers
 * at all (offline, DNS alone takes ~7 s to fail here), and the whole attempt
 * is killed after DOWNLOAD_MS. Synchronous, so the test runner's set-up can
 * call it.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

/** How long the download host may take to accept a TLS connection before we call it unreachable. */
const REACH_MS = 2_000;
/** A cached binary is found at once; a first download (~70 MB) gets this long. */
const DOWNLOAD_MS = 5 * 60_000;

export type BinaryOutcome = { kind: 'binary'; path: string } | { kind: 'unavailable'; reason: string };

/**
 * The child: a cached binary's path, else a reachability check, then the
 * download. Its verdict is its last stdout line ("binary <path>" or
 * "unavailable <reason>"); progress goes to stderr, straight to the terminal.
 */
const FETCH_SCRIPT = `
const { DryMongoBinary, MongoBinary } = require('mongodb-memory-server-core');
const tls = require('node:tls');
const { isIP } = require('node:net');
function reachable({ hostname: host, port }, ms) {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host, port: Number(port) || 443, servername: isIP(host) ? undefined : host });
    const timer = setTimeout(() => { socket.destroy(); reject(new Error(host + ' did not answer within ' + ms + ' ms')); }, ms);
    socket.once('secureConnect', () => { clearTimeout(timer); socket.destroy(); resolve(); });
    socket.once('error', (error) => { clearTimeout(timer); reject(new Error(host + ' unreachable (' + (error.code || error.message) + ')')); });
  });
}
(async () => {
  const options = await DryMongoBinary.generateOptions({});
  const cached = await DryMongoBinary.locateBinary(options);
  if (cached) return cached;
  const source = process.env.MONGOMS_DOWNLOAD_URL || process.env.MONGOMS_DOWNLOAD_MIRROR || 'https://fastdl.mongodb.org';
  await reachable(new URL(source), Number(process.argv[1]));
  console.error('  downloading mongod ' + options.version + ' (mongodb-memory-server, once; cached after)…');
  return MongoBinary.getPath(options);
})().then(
  (binary) => console.log('binary ' + binary),
  (error) => {
    console.log('unavailable ' + String((error && error.message) || error).split('\\n').filter(Boolean).join(' '));
    process.exit(1);
  },
);
`;

type FetchOptions = { script?: string; reachMs?: number; timeoutMs?: number };

/** Never throws and never waits longer than `timeoutMs`: a refusal or a timeout is a one-line reason. */
export function fetchMongodBinary({
  script = FETCH_SCRIPT,
  reachMs = REACH_MS,
  timeoutMs = DOWNLOAD_MS,
}: FetchOptions = {}): BinaryOutcome {
  const child = spawnSync(process.execPath, ['-e', script, String(reachMs)], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (child.error && 'code' in child.error && child.error.code === 'ETIMEDOUT') {
    return { kind: 'unavailable', reason: `no binary within ${Math.round(timeoutMs / 1000)} s (attempt stopped)` };
  }
  const verdict = /^(binary|unavailable) (.+)$/.exec(child.stdout?.trim().split('\n').at(-1) ?? '');
  if (verdict?.[1] === 'binary' && child.status === 0) return { kind: 'binary', path: verdict[2] ?? '' };
  return { kind: 'unavailable', reason: verdict?.[2] ?? `the fetch exited with ${child.status ?? child.signal}` };
}
