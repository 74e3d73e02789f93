import { MongoNetworkError } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { groupCommit, type Settled } from '../../src/db/group-commit.js';

/** A stand-in for the database: records each batch it is sent and answers when the test says so. */
function fakeServer() {
  const batches: number[][] = [];
  const answers: ((settled: Settled<string>[] | Error) => void)[] = [];
  const send = (ops: number[]) => {
    batches.push(ops);
    return new Promise<Settled<string>[]>((resolve, reject) => {
      answers.push((settled) => (settled instanceof Error ? reject(settled) : resolve(settled)));
    });
  };
  const acknowledge = (batch: number, settle = (op: number): Settled<string> => ({ ok: true, value: `wrote ${op}` })) =>
    answers[batch]!(batches[batch]!.map(settle));
  const fail = (batch: number, error: Error) => answers[batch]!(error);
  return { send, batches, acknowledge, fail };
}

const settled = () => new Promise((resolve) => setImmediate(resolve));

describe('group commit', () => {
  it('sends a write at once when nothing is in flight, so a quiet app waits for nothing', async () => {
    const server = fakeServer();
    const write = groupCommit(server.send);
    const result = write(1);
    expect(server.batches).toEqual([[1]]);
    server.acknowledge(0);
    await expect(result).resolves.toBe('wrote 1');
  });

  it('sends the writes that arrived during a round trip together as the next batch, each caller getting its own result', async () => {
    const server = fakeServer();
    const write = groupCommit(server.send);
    const results = [1, 2, 3, 4].map(write);
    expect(server.batches).toEqual([[1]]);
    server.acknowledge(0);
    await settled();
    expect(server.batches).toEqual([[1], [2, 3, 4]]);
    server.acknowledge(1);
    await expect(Promise.all(results)).resolves.toEqual(['wrote 1', 'wrote 2', 'wrote 3', 'wrote 4']);
  });

  it('fails only the write the server refused alone, and every write of a batch that failed as a whole', async () => {
    const server = fakeServer();
    const write = groupCommit(server.send);
    const results = [1, 2, 3, 4, 5].map((op) => write(op).catch((error: Error) => `refused: ${error.message}`));
    server.acknowledge(0);
    await settled();
    server.acknowledge(1, (op) => (op === 3 ? { ok: false, error: new Error('document too large') } : { ok: true, value: `wrote ${op}` }));
    const six = write(6).catch((error: Error) => `refused: ${error.message}`);
    await settled();
    server.fail(2, new Error('connection closed'));
    expect(await Promise.all([...results, six])).toEqual([
      'wrote 1',
      'wrote 2',
      'refused: document too large',
      'wrote 4',
      'wrote 5',
      'refused: connection closed',
    ]);
  });

  it('fails the writes waiting behind a batch the database was unavailable for, instead of sending them into the outage', async () => {
    const server = fakeServer();
    const write = groupCommit(server.send);
    const results = [1, 2, 3].map((op) => write(op).catch((error: Error) => `failed: ${error.message}`));
    server.fail(0, new MongoNetworkError('connection refused'));
    expect(await Promise.all(results)).toEqual(['failed: connection refused', 'failed: connection refused', 'failed: connection refused']);
    expect(server.batches).toEqual([[1]]);
  });

  it('keeps going after a failed batch: the next write is sent at once', async () => {
    const server = fakeServer();
    const write = groupCommit(server.send);
    const first = write(1).catch(() => 'failed');
    server.fail(0, new Error('connection closed'));
    expect(await first).toBe('failed');
    const second = write(2);
    expect(server.batches).toEqual([[1], [2]]);
    server.acknowledge(1);
    await expect(second).resolves.toBe('wrote 2');
  });

  it('caps a batch at 256 writes, sending the rest in the batches after it', async () => {
    const server = fakeServer();
    const write = groupCommit(server.send);
    const results = Array.from({ length: 601 }, (_, op) => write(op));
    for (let batch = 0; batch < 4; batch++) {
      server.acknowledge(batch);
      await settled();
    }
    expect(server.batches.map((ops) => ops.length)).toEqual([1, 256, 256, 88]);
    expect(server.batches.flat()).toEqual(Array.from({ length: 601 }, (_, op) => op));
    await expect(Promise.all(results)).resolves.toHaveLength(601);
  });
});
