/**
 * The launcher's mongodb-memory-server step, with the download stubbed: the
 * real child process and its bound run, the fetch script is replaced by one
 * that succeeds, refuses or never finishes.
 */
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { fetchMongodBinary } from '../../tools/db/memory-server';

/** A generous bound for stubs that answer at once: the verdict must not depend on machine speed. */
const ANSWERS_MS = 60_000;

describe('mongod binary from mongodb-memory-server', () => {
  it('uses the path the fetch reports once the binary is cached or downloaded', () => {
    const stub = `console.error('  downloading…'); console.log('binary /cache/mongod-8.2.6');`;
    expect(fetchMongodBinary({ script: stub, timeoutMs: ANSWERS_MS })).toEqual({ kind: 'binary', path: '/cache/mongod-8.2.6' });
  });

  it('passes on a refusal (no internet) as a one-line reason', () => {
    const stub = `console.log('unavailable fastdl.mongodb.org unreachable (ENOTFOUND)'); process.exit(1);`;
    expect(fetchMongodBinary({ script: stub, timeoutMs: ANSWERS_MS })).toEqual({
      kind: 'unavailable',
      reason: 'fastdl.mongodb.org unreachable (ENOTFOUND)',
    });
  });

  it('gives up on a fetch that never finishes, stopping it, instead of hanging', () => {
    const stub = `setInterval(() => {}, 1000);`;
    const startedAt = Date.now();
    expect(fetchMongodBinary({ script: stub, timeoutMs: 1_000 })).toEqual({
      kind: 'unavailable',
      reason: 'no binary within 1 s (attempt stopped)',
    });
    expect(Date.now() - startedAt).toBeLessThan(ANSWERS_MS);
  });

  it('reports a fetch that crashed without a verdict as unavailable', () => {
    expect(fetchMongodBinary({ script: `process.exit(3);`, timeoutMs: ANSWERS_MS })).toEqual({
      kind: 'unavailable',
      reason: 'the fetch exited with 3',
    });
  });

  it('hands the reachability bound to the fetch script', () => {
    const stub = `console.log('binary reach=' + process.argv[1]);`;
    expect(fetchMongodBinary({ script: stub, reachMs: 1234, timeoutMs: ANSWERS_MS })).toEqual({ kind: 'binary', path: 'reach=1234' });
  });
});

/** The real fetch script, for a version no cache holds, against a local download host. */
describe('the real fetch script against a local download host', () => {
  const saved = { mirror: process.env.MONGOMS_DOWNLOAD_MIRROR, version: process.env.MONGOMS_VERSION };
  let server: Server | undefined;

  afterEach(() => {
    server?.close();
    for (const [name, value] of [
      ['MONGOMS_DOWNLOAD_MIRROR', saved.mirror],
      ['MONGOMS_VERSION', saved.version],
    ] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  async function listening(onConnection: () => void): Promise<number> {
    server = createServer(onConnection);
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return (server.address() as { port: number }).port;
  }

  function fetchFrom(port: number) {
    process.env.MONGOMS_DOWNLOAD_MIRROR = `https://127.0.0.1:${port}`;
    process.env.MONGOMS_VERSION = '99.0.0'; // never released, so never cached: the script must go to the host
    return fetchMongodBinary({ reachMs: 500, timeoutMs: ANSWERS_MS });
  }

  it('a host that accepts the connection and never answers: unavailable after the reachability bound', async () => {
    const port = await listening(() => undefined);
    expect(fetchFrom(port)).toEqual({ kind: 'unavailable', reason: '127.0.0.1 did not answer within 500 ms' });
  });

  it('a host that refuses the connection: unavailable, with the refusal as the reason', async () => {
    const port = await listening(() => undefined);
    await new Promise((resolve) => server!.close(resolve));
    server = undefined;
    expect(fetchFrom(port)).toEqual({ kind: 'unavailable', reason: '127.0.0.1 unreachable (ECONNREFUSED)' });
  });
});
