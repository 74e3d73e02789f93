import { MongoBulkWriteError, MongoError, MongoNetworkError, MongoNetworkTimeoutError, MongoServerError, type WriteError } from 'mongodb';
import { serverRetriesWrites } from './capabilities';

const DUPLICATE_KEY = 11000;
const NAMESPACE_NOT_FOUND = 26;
const INDEX_NOT_FOUND = 27;

/** Server error codes that mean "try again later", not "your request is wrong". */
const TRANSIENT_SERVER_CODES = new Set([
  6, // HostUnreachable
  7, // HostNotFound
  89, // NetworkTimeout
  91, // ShutdownInProgress
  189, // PrimarySteppedDown
  262, // ExceededTimeLimit
  9001, // SocketException
  10107, // NotWritablePrimary
  11600, // InterruptedAtShutdown
  11602, // InterruptedDueToReplStateChange
  13435, // NotPrimaryNoSecondaryOk
  13436, // NotPrimaryOrSecondary
  64, // WriteConcernFailed
  133, // FailedToSatisfyReadPreference: a mongos found no primary for a shard (an election), after 20 s
]);

const TRANSIENT_ERROR_NAMES = new Set([
  'MongoServerSelectionError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'MongoPoolClearedError',
  'MongoWriteConcernError',
  'MongoOperationTimeoutError',
  'MongoWaitQueueTimeoutError', // every pooled connection busy (e.g. stuck on a hung server)
]);

/**
 * Socket errors the driver (7.x) sometimes lets through unwrapped: writing a
 * command to a connection the server has just closed throws Node's own EPIPE
 * "This socket has been ended by the other party", not a MongoNetworkError.
 */
const SOCKET_ERROR_CODES = new Set(['EPIPE', 'ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT']);

function isSocketError(error: unknown): boolean {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' && SOCKET_ERROR_CODES.has(error.code);
}

export function isDuplicateKey(error: unknown): boolean {
  return error instanceof MongoServerError && error.code === DUPLICATE_KEY;
}

/** The collection (or database) does not exist yet, e.g. listIndexes before the first write. */
export function isNamespaceNotFound(error: unknown): boolean {
  return error instanceof MongoServerError && error.code === NAMESPACE_NOT_FOUND;
}

/** dropIndex of an index (or in a collection) that does not exist. */
export function isIndexNotFound(error: unknown): boolean {
  return error instanceof MongoServerError && (error.code === INDEX_NOT_FOUND || error.code === NAMESPACE_NOT_FOUND);
}

/** A bulk write's per-document refusals (the driver gives one alone unwrapped). */
export function writeErrorsOf(error: MongoBulkWriteError): WriteError[] {
  return ([] as WriteError[]).concat(error.writeErrors);
}

/**
 * The error a bulk write (insertMany, bulkWrite) failed with as a whole: the
 * driver wraps a network or server-selection error into a MongoBulkWriteError
 * with no write errors, which by itself reads as a server's refusal.
 */
function unwrapped(error: unknown): unknown {
  const wrapsDriverError =
    error instanceof MongoBulkWriteError && writeErrorsOf(error).length === 0 && error.errorResponse instanceof Error;
  return wrapsDriverError ? error.errorResponse : error;
}

/** True when the database could not be reached or could not make the write durable. */
export function isDatabaseUnavailable(failure: unknown): boolean {
  const error = unwrapped(failure);
  if (!(error instanceof MongoError)) return isSocketError(error);
  // By class, not name: subclasses such as PoolClearedOnNetworkError carry names of their own.
  if (error instanceof MongoNetworkError || TRANSIENT_ERROR_NAMES.has(error.name)) return true;
  if (error.hasErrorLabel('RetryableWriteError') || error.hasErrorLabel('ResetPool')) return true;
  return typeof error.code === 'number' && TRANSIENT_SERVER_CODES.has(error.code);
}

/**
 * `work`'s result, or `whenDown` when the database could not be reached or
 * could not make a write durable; any other error propagates. The one place a
 * database outage becomes a value (pages show "unavailable", the webhook 503).
 */
export async function unlessDatabaseDown<T, U>(work: () => Promise<T>, whenDown: (error: unknown) => U): Promise<T | U> {
  try {
    return await work();
  } catch (error) {
    if (isDatabaseUnavailable(error)) return whenDown(error);
    throw error;
  }
}

/**
 * A connection that died while idle in the pool (server restart, failover, a
 * partition that healed) fails the next operation on it once, as a network
 * error. The driver retries reads, and writes where the server has
 * retryable writes (a replica set: see capabilities.ts); there the error is
 * final. Elsewhere (a standalone server, or one without retryable writes),
 * one more attempt of idempotent work is what retryable writes would do.
 * Timeouts are not retried: the time is already spent.
 */
export async function retryOnceOnClosedConnection<T>(work: () => Promise<T>, retriedByDriver = serverRetriesWrites): Promise<T> {
  try {
    return await work();
  } catch (failure) {
    const error = unwrapped(failure);
    const closedConnection = (error instanceof MongoNetworkError && !(error instanceof MongoNetworkTimeoutError)) || isSocketError(error);
    if (!closedConnection || retriedByDriver()) throw failure;
    return work();
  }
}
