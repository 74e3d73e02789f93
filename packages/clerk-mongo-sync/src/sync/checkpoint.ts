import type { Store } from '../engine/store.js';
import type { SyncCheckpoint, SyncKind } from './checkpoint-record.js';
import { ZERO_COUNTS } from './summary.js';

export type { SyncCheckpoint, SyncKind } from './checkpoint-record.js';

/** The checkpoint of an unfinished run of `kind`, if there is one. */
export async function unfinishedRun(store: Store, kind: SyncKind): Promise<SyncCheckpoint | null> {
  const found = await store.syncRuns.findOne({ _id: kind });
  return found && found.completedAt === null ? found : null;
}

export function freshCheckpoint(kind: SyncKind, now = new Date()): SyncCheckpoint {
  return { _id: kind, nextOffset: 0, counts: ZERO_COUNTS, startedAt: now, updatedAt: now, completedAt: null };
}

export async function saveCheckpoint(store: Store, checkpoint: SyncCheckpoint): Promise<void> {
  await store.syncRuns.replaceOne({ _id: checkpoint._id }, { ...checkpoint, updatedAt: new Date() }, { upsert: true });
}
