import { MongoBulkWriteError, MongoNetworkError, MongoNetworkTimeoutError, MongoServerError, MongoServerSelectionError } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { isDatabaseUnavailable, isDuplicateKey, refusalError, retryOnceOnClosedConnection } from '../../src/db/errors.js';

/** Shaped like the driver's internal PoolClearedOnNetworkError (not exported), seen when a database hangs. */
class PoolClearedOnNetworkError extends MongoNetworkError {
  override get name() {
    return 'PoolClearedOnNetworkError';
  }
}

describe('database error classification', () => {
  it('reads network failures as "unavailable" by class, whatever name a subclass gives itself', () => {
    const poolCleared = new PoolClearedOnNetworkError('Connection to 127.0.0.1:27017 interrupted due to server monitor timeout');
    expect(poolCleared.name).toBe('PoolClearedOnNetworkError');
    expect(isDatabaseUnavailable(poolCleared)).toBe(true);
    expect(isDatabaseUnavailable(new MongoNetworkTimeoutError('connection 3 timed out'))).toBe(true);
    expect(
      isDatabaseUnavailable(new MongoServerSelectionError('connect ECONNREFUSED', { type: 'Unknown', servers: new Map() } as never)),
    ).toBe(true);
  });

  it('sees through the MongoBulkWriteError a bulk write wraps a network failure in (insertMany, bulkWrite)', async () => {
    const wrapped = new MongoBulkWriteError(new MongoNetworkError('connection 4 to 127.0.0.1:27017 closed'), {} as never);
    expect(wrapped.writeErrors).toEqual([]);
    expect(isDatabaseUnavailable(wrapped)).toBe(true);
    let calls = 0;
    const work = async () => {
      if (calls++ === 0) throw wrapped;
      return 'done';
    };
    await expect(retryOnceOnClosedConnection(work, () => false)).resolves.toBe('done');
    // A refusal of some documents is the server's answer, not an outage.
    const refused = new MongoBulkWriteError({ message: 'E11000 duplicate key error', code: 11000, writeErrors: [] }, {} as never);
    expect(isDatabaseUnavailable(refused)).toBe(false);
  });

  it('reads the raw EPIPE the driver lets through when the server just closed the connection as "unavailable"', () => {
    const epipe = Object.assign(new Error('This socket has been ended by the other party'), { code: 'EPIPE' });
    expect(isDatabaseUnavailable(epipe)).toBe(true);
  });

  it('tells errors of another copy of the driver (mongoose nests its own) by their shape, not by instanceof', () => {
    // Classes of the same names as the driver's, from elsewhere: what `instanceof` against this copy would miss.
    class MongoError extends Error {}
    class MongoNetworkError extends MongoError {}
    class MongoServerError extends MongoError {
      constructor(readonly code: number) {
        super(`server error ${code}`);
      }
    }
    expect(isDatabaseUnavailable(new MongoNetworkError('connection 5 closed'))).toBe(true);
    expect(isDatabaseUnavailable(new MongoServerError(91 /* ShutdownInProgress */))).toBe(true);
    expect(isDatabaseUnavailable(new MongoServerError(11000))).toBe(false);
    expect(isDuplicateKey(new MongoServerError(11000))).toBe(true);
    expect(isDuplicateKey(Object.assign(new Error('not from MongoDB'), { code: 11000 }))).toBe(false);
  });

  it('reads a mongos finding no primary for a shard (its election) as "unavailable", alone or as one statement of a grouped write', () => {
    // As mongos 4.4 answers a write to a shard whose replica set has no primary, per statement of a bulk write.
    const message =
      'Write results unavailable from failing to target a host in the shard shard-a :: caused by :: Could not find host matching read preference { mode: "primary" } for set shard-a';
    expect(isDatabaseUnavailable(new MongoServerError({ message, code: 133 }))).toBe(true);
    // The group commit hands each statement its own refusal (db/group-commit.ts): the same answer, 503, not 500.
    expect(isDatabaseUnavailable(refusalError({ code: 133, message }))).toBe(true);
    expect(isDatabaseUnavailable(refusalError({ code: 11000, message: 'E11000 duplicate key error' }))).toBe(false);
    expect(isDatabaseUnavailable(refusalError({ code: undefined, message: 'write refused' }))).toBe(false);
  });

  it('does not read bugs or refusals as "unavailable"', () => {
    const duplicate = new MongoServerError({ message: 'E11000 duplicate key error', code: 11000 });
    expect(isDatabaseUnavailable(duplicate)).toBe(false);
    expect(isDuplicateKey(duplicate)).toBe(true);
    expect(isDatabaseUnavailable(new TypeError('x is undefined'))).toBe(false);
    expect(isDatabaseUnavailable(Object.assign(new Error('nope'), { code: 'ERR_INVALID_ARG_TYPE' }))).toBe(false);
  });
});

describe('one retry on a connection found closed', () => {
  function failing(...errors: Error[]) {
    let calls = 0;
    const work = async () => {
      const error = errors[calls++];
      if (error) throw error;
      return 'done';
    };
    return { work, calls: () => calls };
  }

  it('retries idempotent work once when a pooled connection turns out to be closed', async () => {
    const attempt = failing(new MongoNetworkError('connection 2 to 127.0.0.1:27017 closed'));
    await expect(retryOnceOnClosedConnection(attempt.work, () => false)).resolves.toBe('done');
    expect(attempt.calls()).toBe(2);
  });

  it('leaves the retry to the driver where the server has retryable writes (a replica set)', async () => {
    const attempt = failing(new MongoNetworkError('connection 6 closed'));
    await expect(retryOnceOnClosedConnection(attempt.work, () => true)).rejects.toThrow('connection 6 closed');
    expect(attempt.calls()).toBe(1);
  });

  it('gives up after the second failure, and never retries a timeout or a server error', async () => {
    const twice = failing(new MongoNetworkError('closed'), new MongoNetworkError('closed again'));
    await expect(retryOnceOnClosedConnection(twice.work, () => false)).rejects.toThrow('closed again');
    for (const error of [new MongoNetworkTimeoutError('connection 3 timed out'), new MongoServerError({ code: 11000, errmsg: 'E11000' })]) {
      const once = failing(error);
      await expect(retryOnceOnClosedConnection(once.work, () => false)).rejects.toBe(error);
      expect(once.calls()).toBe(1);
    }
  });
});
