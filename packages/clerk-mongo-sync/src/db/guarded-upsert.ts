import type { Collection, Document, Filter } from 'mongodb';
import { upsertGrouped, type Update } from './group-commit.js';

/** Whether an order-guarded write changed the document, or lost to a newer (or final) state. */
export type WriteOutcome = 'applied' | 'stale';

/**
 * Runs an order-guarded write as an upsert. The filter matches only a
 * document the write may change, and the update changes every document it
 * matches (it sets the version, or the state, the filter requires to be
 * older). When none matches, MongoDB tries to insert, and a unique index
 * refuses that insert if the document exists in a state the guard rejected.
 * When the index refuses it, another delivery may have created the document
 * between our match and our insert; whether we are stale depends on what it
 * wrote, so the guard is evaluated once more against the now existing
 * document (no upsert: it exists, and such documents are never removed while
 * deliveries for them arrive). Without this, the newest of N concurrent first
 * deliveries could be dropped as "stale".
 *
 * The upsert shares one command with concurrent ones (group-commit.ts).
 */
export async function guardedUpsert<T extends Document>(
  collection: Collection<T>,
  filter: Filter<T>,
  update: Update<T>,
): Promise<WriteOutcome> {
  if ((await upsertGrouped(collection, filter, update)) === 'changed') return 'applied';
  const retried = await collection.updateOne(filter, update);
  return retried.modifiedCount > 0 ? 'applied' : 'stale';
}
