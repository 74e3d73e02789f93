import type { AnyBulkWriteOperation, ObjectId } from 'mongodb';
import { isDuplicateKey, refusalError, writeErrorsOf } from '../db/errors.js';
import type { Store } from '../engine/store.js';
import { clerkUserJsonSchema, type ClerkUserJson } from '../users/clerk-user.js';
import { guardedProfileUpsert, newUserDocument, upsertUserProfile, type UserFields } from '../users/repository.js';
import type { StoredUser, UserDocument } from '../users/schema.js';
import { addCounts, ZERO_COUNTS, type SyncCounts } from './summary.js';

type Pending = { fields: UserFields; version: number };
type StoredState = Pick<UserDocument, '_id' | 'clerkId' | 'version' | 'deletedAt'>;

/** What the order guard would do with Clerk's `version` of a user, given what is stored. */
type Verdict = 'create' | 'update' | 'unchanged' | 'stale';

function verdict(stored: StoredState | undefined, version: number): Verdict {
  if (!stored) return 'create';
  if (stored.deletedAt !== null) return 'stale';
  if (stored.version === version) return 'unchanged';
  return stored.version < version ? 'update' : 'stale';
}

export type WriterOptions = {
  /** Count what would happen, write nothing. */
  dryRun: boolean;
  /** How many already-stored users to collect before looking them up in one query. */
  lookupBatchSize: number;
  /** What a Clerk user becomes in its document (the profile and the adopter's `mapUser` fields). */
  userFieldsOf: (user: ClerkUserJson) => UserFields;
};

/**
 * Writes Clerk users to `users` with the webhooks' order guard, in bulk.
 *
 * Each page is first inserted as new documents (one unordered insertMany):
 * the unique index on `clerkId` refuses every user already stored, in any
 * state, exactly as it refuses the guarded upsert's insert. So a first
 * backfill is pure inserts, one round trip per page, never a lookup. The
 * refused users are collected and looked up together, `lookupBatchSize` at a
 * time (one `$in` query on the index), then only those stored with an older
 * version get the guarded update — by `_id` plus the guard, so a webhook that
 * wrote in between still wins. A re-run therefore costs one lookup per batch
 * and writes nothing.
 *
 * Memory is bounded by one page plus `lookupBatchSize` users, whatever the
 * number of users. `flush()` must be called before a checkpoint: only then
 * is every user handed over written.
 */
export class UserBatchWriter {
  private pending: Pending[] = [];
  counts: SyncCounts = ZERO_COUNTS;

  constructor(
    private readonly store: Store,
    private readonly options: WriterOptions,
  ) {}

  /** Whether every user handed over so far is written (a checkpoint may be taken). */
  get settled(): boolean {
    return this.pending.length === 0;
  }

  async write(rawUsers: unknown[]): Promise<void> {
    const readable = this.parse(rawUsers);
    if (this.options.dryRun) this.pending.push(...readable);
    else await this.insertNew(readable);
    if (this.pending.length >= this.options.lookupBatchSize) await this.flush();
  }

  /** Resolves the users collected so far (lookup, then guarded updates). */
  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    const stored = await this.lookUp(batch.map((user) => user.fields.profile.clerkId));
    const updates: AnyBulkWriteOperation<StoredUser>[] = [];
    const now = new Date();
    for (const user of batch) {
      const state = stored.get(user.fields.profile.clerkId);
      const outcome = verdict(state, user.version);
      if (outcome === 'unchanged' || outcome === 'stale') this.count({ [outcome]: 1 });
      else if (this.options.dryRun) this.count(outcome === 'create' ? { created: 1 } : { updated: 1 });
      else if (outcome === 'update') updates.push(guardedUpdateById(state!._id, user, now));
      // Refused by the unique index yet not found: impossible while documents are never removed; the guarded upsert settles it.
      else this.count((await upsertUserProfile(this.store, user.fields, user.version)) === 'applied' ? { created: 1 } : { stale: 1 });
    }
    if (updates.length > 0) {
      const result = await this.store.users.bulkWrite(updates, { ordered: false });
      // An update that no longer matched its guard lost to a newer webhook write in between.
      this.count({ updated: result.modifiedCount, stale: updates.length - result.modifiedCount });
    }
  }

  private parse(rawUsers: unknown[]): Pending[] {
    const readable: Pending[] = [];
    for (const raw of rawUsers) {
      const parsed = clerkUserJsonSchema.safeParse(raw);
      if (parsed.success) readable.push({ fields: this.options.userFieldsOf(parsed.data), version: parsed.data.updated_at });
      else this.count({ failed: 1 });
    }
    return readable;
  }

  private async insertNew(users: Pending[]): Promise<void> {
    if (users.length === 0) return;
    const now = new Date();
    const documents = users.map((user) => newUserDocument(user.fields, user.version, now));
    try {
      const result = await this.store.users.insertMany(documents as StoredUser[], { ordered: false });
      this.count({ created: result.insertedCount });
    } catch (error) {
      const refused = writeErrorsOf(error);
      if (refused.length === 0 || refused.some((refusal) => !isDuplicateKey(refusalError(refusal)))) throw error;
      this.count({ created: users.length - refused.length });
      for (const refusal of refused) this.pending.push(users[refusal.index]!);
    }
  }

  private async lookUp(clerkIds: string[]): Promise<Map<string, StoredState>> {
    const found = await this.store.users
      .find({ clerkId: { $in: clerkIds } }, { projection: { _id: 1, clerkId: 1, version: 1, deletedAt: 1 } })
      .toArray();
    return new Map(found.map((user) => [user.clerkId, { ...user, deletedAt: user.deletedAt ?? null }]));
  }

  private count(delta: Partial<SyncCounts>): void {
    this.counts = addCounts(this.counts, delta);
  }
}

/** The webhooks' guarded upsert, also addressed by the `_id` just looked up, and without upsert: the user exists. */
function guardedUpdateById(_id: ObjectId, user: Pending, now: Date): AnyBulkWriteOperation<StoredUser> {
  const { filter, update } = guardedProfileUpsert(user.fields, user.version, now);
  return { updateOne: { filter: { ...filter, _id }, update } };
}
