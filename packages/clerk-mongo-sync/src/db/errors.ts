/**
 * What a failed database operation means, told by the error's shape (class
 * names along its prototype chain, `code`, `errorLabels`) rather than by
 * `instanceof`: the adopter hands the engine a `Db` of their own driver copy
 * (mongoose nests one), and classes of two copies are never `instanceof`
 * each other.
 */

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
  133, // FailedToSatisfyReadPreference: a mongos found no primary for a shard (its election), after 20 s
]);

const TRANSIENT_ERROR_CLASSES = new Set([
  'MongoServerSelectionError',
  'MongoNetworkError', // and its subclasses (MongoNetworkTimeoutError, PoolClearedOnNetworkError): the chain is read
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

/** The names of the error's classes, its own first (`MongoNetworkTimeoutError`, `MongoNetworkError`, `MongoError`, `Error`). */
function classNames(error: object): string[] {
  const names: string[] = [];
  for (
    let prototype = Object.getPrototypeOf(error) as object | null;
    prototype;
    prototype = Object.getPrototypeOf(prototype) as object | null
  ) {
    const name = (prototype as { constructor?: { name?: unknown } }).constructor?.name;
    if (typeof name === 'string') names.push(name);
  }
  return names;
}

function isA(error: unknown, className: string): error is Error & Record<string, unknown> {
  return error instanceof Error && classNames(error).includes(className);
}

function codeOf(error: unknown): unknown {
  return typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
}

function isMongoError(error: unknown): error is Error & Record<string, unknown> {
  return isA(error, 'MongoError');
}

function isSocketError(error: unknown): boolean {
  const code = codeOf(error);
  return error instanceof Error && typeof code === 'string' && SOCKET_ERROR_CODES.has(code);
}

function hasErrorLabel(error: Error & Record<string, unknown>, label: string): boolean {
  if (typeof error.hasErrorLabel === 'function') return (error.hasErrorLabel as (label: string) => boolean)(label) === true;
  const labels = error.errorLabels;
  if (Array.isArray(labels)) return labels.includes(label);
  return labels instanceof Set && labels.has(label);
}

/**
 * The server's error code when `error` is a server's answer (a server error,
 * or one statement's refusal), else undefined: for callers that tell one
 * refusal from another (e.g. a command the database user may not run).
 */
export function serverCodeOf(error: unknown): number | undefined {
  const code = codeOf(error);
  return (isA(error, 'MongoServerError') || isRefusal(error)) && typeof code === 'number' ? code : undefined;
}

/** A unique index refused the write (E11000): a server error, or one statement of a bulk write. */
export function isDuplicateKey(error: unknown): boolean {
  return codeOf(error) === DUPLICATE_KEY && (isMongoError(error) || isRefusal(error));
}

/** The collection (or database) does not exist yet, e.g. listIndexes before the first write. */
export function isNamespaceNotFound(error: unknown): boolean {
  return isA(error, 'MongoServerError') && codeOf(error) === NAMESPACE_NOT_FOUND;
}

/** dropIndex of an index (or in a collection) that does not exist. */
export function isIndexNotFound(error: unknown): boolean {
  const code = codeOf(error);
  return isA(error, 'MongoServerError') && (code === INDEX_NOT_FOUND || code === NAMESPACE_NOT_FOUND);
}

/** A server's refusal of one statement of a bulk write, by its index: what `writeErrors` holds. */
export type Refusal = { index: number; code: number | undefined; message: string };

const REFUSAL = Symbol('refusal');

/** A statement's refusal as an error of its own, for the one write it belongs to. */
export function refusalError({ code, message }: Pick<Refusal, 'code' | 'message'>): Error {
  return Object.assign(new Error(message), { code, [REFUSAL]: true });
}

function isRefusal(error: unknown): boolean {
  return error instanceof Error && REFUSAL in error;
}

/** A bulk write's refusals, by statement index (the driver gives one alone unwrapped); empty for any other error. */
export function writeErrorsOf(error: unknown): Refusal[] {
  if (!isA(error, 'MongoBulkWriteError')) return [];
  const listed = ([] as unknown[]).concat(error.writeErrors ?? []);
  return listed.map((entry) => {
    const { index, code, errmsg } = entry as { index: number; code?: number; errmsg?: string };
    return { index, code, message: errmsg ?? 'write refused' };
  });
}

/** Whether a bulk write failed on its write concern (not durable): the whole batch, whatever each statement did. */
export function hasWriteConcernError(error: unknown): boolean {
  if (!isA(error, 'MongoBulkWriteError')) return false;
  const result = error.result as { getWriteConcernError?: () => unknown } | undefined;
  return Boolean(result?.getWriteConcernError?.());
}

/**
 * The error a bulk write (insertMany, bulkWrite) failed with as a whole: the
 * driver wraps a network or server-selection error into a MongoBulkWriteError
 * with no write errors, which by itself reads as a server's refusal.
 */
function unwrapped(error: unknown): unknown {
  const wrapsDriverError = isA(error, 'MongoBulkWriteError') && writeErrorsOf(error).length === 0 && error.errorResponse instanceof Error;
  return wrapsDriverError ? (error as Record<string, unknown>).errorResponse : error;
}

/** True when the database could not be reached or could not make the write durable. */
export function isDatabaseUnavailable(failure: unknown): boolean {
  const error = unwrapped(failure);
  // One statement of a bulk write, refused for a passing reason (a mongos that found no primary for its shard).
  if (isRefusal(error)) return TRANSIENT_SERVER_CODES.has(serverCodeOf(error) ?? Number.NaN);
  if (!isMongoError(error)) return isSocketError(error);
  if (classNames(error).some((name) => TRANSIENT_ERROR_CLASSES.has(name))) return true;
  if (hasErrorLabel(error, 'RetryableWriteError') || hasErrorLabel(error, 'ResetPool')) return true;
  const code = codeOf(error);
  return typeof code === 'number' && TRANSIENT_SERVER_CODES.has(code);
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
export async function retryOnceOnClosedConnection<T>(work: () => Promise<T>, retriedByDriver: () => boolean): Promise<T> {
  try {
    return await work();
  } catch (failure) {
    const error = unwrapped(failure);
    const closedConnection = (isA(error, 'MongoNetworkError') && !isA(error, 'MongoNetworkTimeoutError')) || isSocketError(error);
    if (!closedConnection || retriedByDriver()) throw failure;
    return work();
  }
}
