import type { BulkWriteResult, Collection, Document, Filter, UpdateFilter } from 'mongodb';
import { hasWriteConcernError, isDatabaseUnavailable, isDuplicateKey, refusalError, writeErrorsOf } from './errors.js';

/** One write's own result within a batch: its value, or the error that refused it alone. */
export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** A batch never grows past this many writes (a few hundred KB of ledger entries). */
const MAX_BATCH = 256;

/**
 * Group commit: writes that arrive while a batch of them is on its way to the
 * server wait for it, then leave together as the next batch, one command for
 * all. No timer: a write that finds nothing in flight is sent at once, so an
 * idle app adds no latency, and under load each command carries many writes,
 * which cuts the CPU and round trips per write on both sides. Every caller
 * still waits for its own write's acknowledgement; a batch that fails as a
 * whole (the database is down, the write concern failed) fails every write in
 * it. When it failed because the database is unavailable, the writes waiting
 * behind it fail with it: sent next, they would meet the same outage one
 * server-selection timeout later each, and queue up while it lasts.
 */
export function groupCommit<Op, T>(sendBatch: (ops: Op[]) => Promise<Settled<T>[]>): (op: Op) => Promise<T> {
  const waiting: { op: Op; resolve: (value: T) => void; reject: (error: unknown) => void }[] = [];
  let sending = false;

  const sendWaiting = () => {
    if (sending || waiting.length === 0) return;
    sending = true;
    const batch = waiting.splice(0, MAX_BATCH);
    sendBatch(batch.map(({ op }) => op))
      .then(
        (settled) => batch.forEach(({ resolve, reject }, i) => (settled[i]?.ok ? resolve(settled[i].value) : reject(settled[i]?.error))),
        (error: unknown) => {
          const failed = isDatabaseUnavailable(error) ? [...batch, ...waiting.splice(0)] : batch;
          failed.forEach(({ reject }) => reject(error));
        },
      )
      .finally(() => {
        sending = false;
        sendWaiting();
      });
  };

  return (op) =>
    new Promise<T>((resolve, reject) => {
      waiting.push({ op, resolve, reject });
      sendWaiting();
    });
}

/** One group commit per collection and kind of write. */
function groupFor<Op, T>(
  groups: WeakMap<Collection, (op: Op) => Promise<T>>,
  collection: Collection,
  send: (ops: Op[]) => Promise<Settled<T>[]>,
) {
  let group = groups.get(collection);
  if (!group) groups.set(collection, (group = groupCommit(send)));
  return group;
}

/**
 * The statements a failed bulk write refused, by index, with what the rest did.
 * A write concern error, or a failure without refusals (the database is down),
 * fails the whole batch: rethrown.
 */
function refusedStatements(error: unknown): { refusals: Map<number, Error>; result: BulkWriteResult } {
  const refused = writeErrorsOf(error);
  if (refused.length === 0 || hasWriteConcernError(error)) throw error;
  const refusals = new Map(refused.map((refusal) => [refusal.index, refusalError(refusal)]));
  return { refusals, result: (error as { result: BulkWriteResult }).result };
}

/** Each statement's own result: `done`, `duplicate` where a unique index refused it, or its refusal. */
function settleStatements<T>(count: number, refusals: Map<number, Error>, done: T, duplicate: T): Settled<T>[] {
  return Array.from({ length: count }, (_, index): Settled<T> => {
    const refusal = refusals.get(index);
    if (!refusal) return { ok: true, value: done };
    return isDuplicateKey(refusal) ? { ok: true, value: duplicate } : { ok: false, error: refusal };
  });
}

type InsertResult = 'inserted' | 'duplicate';

const inserts = new WeakMap<Collection, (document: Document) => Promise<InsertResult>>();

/**
 * Inserts one document through the collection's group commit: 'duplicate'
 * when a unique index refused it (as insertOne's duplicate-key error would),
 * 'inserted' once the server acknowledged it under the client's write concern.
 */
export function insertGrouped<T extends Document>(collection: Collection<T>, document: Document): Promise<InsertResult> {
  const target = collection as unknown as Collection;
  return groupFor(inserts, target, (documents: Document[]) => insertAll(target, documents))(document);
}

/** One unordered insertMany: each document is inserted or refused on its own, the refusals reported by index. */
async function insertAll(collection: Collection, documents: Document[]): Promise<Settled<InsertResult>[]> {
  let refusals = new Map<number, Error>();
  try {
    await collection.insertMany(documents, { ordered: false });
  } catch (error) {
    ({ refusals } = refusedStatements(error));
  }
  return settleStatements<InsertResult>(documents.length, refusals, 'inserted', 'duplicate');
}

/** An update document, or an update pipeline (the tombstone's replacement of the whole document). */
export type Update<T extends Document> = UpdateFilter<T> | Document[];

type Upsert = { filter: Filter<Document>; update: Update<Document> };

/** 'changed': the filter matched and the document changed, or none matched and it was inserted. */
type UpsertResult = 'changed' | 'duplicate';

const upserts = new WeakMap<Collection, (upsert: Upsert) => Promise<UpsertResult>>();

/**
 * One `updateOne(filter, update, { upsert: true })` through the collection's
 * group commit. Only for updates that change every document their filter
 * matches (the order guards: each sets the version or state its filter
 * requires to be older), since a bulk write counts changes per batch, not per
 * statement; a batch that breaks this fails. 'duplicate': no document matched
 * and a unique index refused the insert.
 */
export function upsertGrouped<T extends Document>(collection: Collection<T>, filter: Filter<T>, update: Update<T>): Promise<UpsertResult> {
  const target = collection as unknown as Collection;
  return groupFor(upserts, target, (ops: Upsert[]) => upsertAll(target, ops))({
    filter: filter as Filter<Document>,
    update: update as Update<Document>,
  });
}

async function upsertAll(collection: Collection, ops: Upsert[]): Promise<Settled<UpsertResult>[]> {
  let refusals = new Map<number, Error>();
  let result: BulkWriteResult;
  try {
    result = await collection.bulkWrite(
      ops.map(({ filter, update }) => ({ updateOne: { filter, update, upsert: true } })),
      { ordered: false },
    );
  } catch (error) {
    ({ refusals, result } = refusedStatements(error));
  }
  if (result.matchedCount !== result.modifiedCount)
    throw new Error('a grouped upsert matched a document it did not change: its update must change what its filter matches');
  return settleStatements<UpsertResult>(ops.length, refusals, 'changed', 'duplicate');
}
