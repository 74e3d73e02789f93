/**
 * The launcher's mongodb-memory-server step, with the download stubbed: the
 * real child process and its bound run, the fetch script is replaced by one
 * that succeeds, refuses or never finishes.
 */
import { describe, expect, it } from 'vitest';
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
    expect(fetchMongodBinary({ script: stub, timeoutMs: 1_000 })).toEqual({ kind: 'unavailable', reason: 'no binary within 1 s (attempt stopped)' });
    expect(Date.now() - startedAt).toBeLessThan(ANSWERS_MS);
  });

  it('reports a fetch that crashed without a verdict as unavailable', () => {
    expect(fetchMongodBinary({ script: `process.exit(3);`, timeoutMs: ANSWERS_MS })).toEqual({ kind: 'unavailable', reason: 'the fetch exited with 3' });
  });

  it('hands the reachability bound to the fetch script', () => {
    const stub = `console.log('binary reach=' + process.argv[1]);`;
    expect(fetchMongodBinary({ script: stub, reachMs: 1234, timeoutMs: ANSWERS_MS })).toEqual({ kind: 'binary', path: 'reach=1234' });
  });
});
