import { MongoBulkWriteError, MongoNetworkError, MongoNetworkTimeoutError, MongoServerError, MongoServerSelectionError } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { isDatabaseUnavailable, isDuplicateKey, retryOnceOnClosedConnection } from '@/lib/db/errors';

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

  it('reads a mongos finding no primary for a shard (its election) as "unavailable"', () => {
    // As mongos 4.4 answers a write to a shard whose replica set has no primary, per statement of a bulk write.
    const noPrimary = new MongoServerError({
      message:
        'Write results unavailable from failing to target a host in the shard shard-a :: caused by :: Could not find host matching read preference { mode: "primary" } for set shard-a',
      code: 133,
    });
    expect(isDatabaseUnavailable(noPrimary)).toBe(true);
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
    await expect(retryOnceOnClosedConnection(attempt.work)).resolves.toBe('done');
    expect(attempt.calls()).toBe(2);
  });

  it('gives up after the second failure, and never retries a timeout or a server error', async () => {
    const twice = failing(new MongoNetworkError('closed'), new MongoNetworkError('closed again'));
    await expect(retryOnceOnClosedConnection(twice.work)).rejects.toThrow('closed again');
    for (const error of [new MongoNetworkTimeoutError('connection 3 timed out'), new MongoServerError({ code: 11000, errmsg: 'E11000' })]) {
      const once = failing(error);
      await expect(retryOnceOnClosedConnection(once.work)).rejects.toBe(error);
      expect(once.calls()).toBe(1);
    }
  });
});
