import 'server-only';
import { COLLECTIONS } from '@/lib/db/indexes';
import type { Collection, Db } from 'mongodb';
import { ZERO_COUNTS, type SyncCounts } from './summary';

export type SyncKind = 'backfill' | 'reconcile';

/**
 * Where a sync run stands, one document per kind in `sync_runs` (read and
 * written by `_id` only, so it needs no index). A run that did not complete
 * is resumed from `nextOffset` by the next run of the same kind.
 */
export type SyncCheckpoint = {
  _id: SyncKind;
  /** Every user before this offset of Clerk's `+created_at` listing has been written. */
  nextOffset: number;
  counts: SyncCounts;
  startedAt: Date;
  updatedAt: Date;
  completedAt: Date | null;
};

function checkpoints(database: Db): Collection<SyncCheckpoint> {
  return database.collection<SyncCheckpoint>(COLLECTIONS.syncRuns);
}

/** The checkpoint of an unfinished run of `kind`, if there is one. */
export async function unfinishedRun(database: Db, kind: SyncKind): Promise<SyncCheckpoint | null> {
  const found = await checkpoints(database).findOne({ _id: kind });
  return found && found.completedAt === null ? found : null;
}

export function freshCheckpoint(kind: SyncKind, now = new Date()): SyncCheckpoint {
  return { _id: kind, nextOffset: 0, counts: ZERO_COUNTS, startedAt: now, updatedAt: now, completedAt: null };
}

export async function saveCheckpoint(database: Db, checkpoint: SyncCheckpoint): Promise<void> {
  await checkpoints(database).replaceOne({ _id: checkpoint._id }, { ...checkpoint, updatedAt: new Date() }, { upsert: true });
}
