import type { AnyBulkWriteOperation, Collection, Document, Filter, ObjectId, UpdateFilter } from 'mongodb';
import { isDuplicateKey, refusalError, writeErrorsOf } from '../db/errors.js';
import type { Store } from '../engine/store.js';
import {
  clerkMembershipJsonSchema,
  clerkOrganizationJsonSchema,
  membershipFieldsOf,
  organizationFieldsOf,
  type ClerkMembershipJson,
  type ClerkOrganizationJson,
} from '../organizations/clerk-organization.js';
import { endMemberships, guardedMembershipWrite } from '../organizations/memberships.js';
import { guardedOrganizationUpsert } from '../organizations/repository.js';
import type { StoredMembership, StoredOrganization } from '../organizations/schema.js';
import { memberStub } from '../users/presence.js';
import type { StoredUser } from '../users/schema.js';
import { addCounts, ZERO_COUNTS, type SyncCounts } from './summary.js';

type Stored = { version: number; deletedAt: Date | null };
type Verdict = 'create' | 'update' | 'unchanged' | 'stale';

/** What the order guard would do with Clerk's `version`, given what is stored (`final`: a tombstone no write changes). */
function verdict(stored: Stored | undefined, version: number, tombstoneIsFinal: boolean): Verdict {
  if (!stored) return 'create';
  if (tombstoneIsFinal && stored.deletedAt !== null) return 'stale';
  if (stored.version === version) return 'unchanged';
  return stored.version < version ? 'update' : 'stale';
}

/** A guarded write, and the document it inserts when nothing is stored (what its upsert would insert). */
type Guarded<T extends Document> = { filter: Filter<T>; update: UpdateFilter<T>; inserted: T };

function guarded<T extends Document>({ filter, update }: { filter: Filter<T>; update: UpdateFilter<T> }, keys: Partial<T>): Guarded<T> {
  return { filter, update, inserted: { ...keys, ...update.$set, ...update.$setOnInsert } as T };
}

/**
 * Writes what the lookup found new as plain inserts (one unordered
 * insertMany, as UserBatchWriter does: the unique index refuses any that
 * another writer stored meanwhile), then the refused ones and those stored
 * older through the guarded upsert, one unordered bulk; an upsert the index
 * refuses raced an insert, so it is tried once more without upsert and the
 * guard decides against what is stored now (as `guardedUpsert` does).
 * Returns created/updated/stale counts.
 */
async function writeGuarded<T extends Document>(
  collection: Collection<T>,
  creates: Guarded<T>[],
  updates: Guarded<T>[],
): Promise<Partial<SyncCounts>> {
  let created = 0;
  const pending = [...updates];
  if (creates.length > 0) {
    try {
      created += (await collection.insertMany(creates.map((write) => write.inserted) as never[], { ordered: false })).insertedCount;
    } catch (error) {
      const refused = writeErrorsOf(error);
      if (refused.length === 0 || refused.some((refusal) => !isDuplicateKey(refusalError(refusal)))) throw error;
      created += creates.length - refused.length;
      for (const refusal of refused) pending.push(creates[refusal.index]!);
    }
  }
  if (pending.length === 0) return { created };
  const operations = pending.map(({ filter, update }): AnyBulkWriteOperation<T> => ({ updateOne: { filter, update, upsert: true } }));
  let refused: number[] = [];
  let updated = 0;
  try {
    const result = await collection.bulkWrite(operations, { ordered: false });
    created += result.upsertedCount;
    updated = result.modifiedCount;
  } catch (error) {
    const refusals = writeErrorsOf(error);
    if (refusals.length === 0 || refusals.some((refusal) => !isDuplicateKey(refusalError(refusal)))) throw error;
    refused = refusals.map((refusal) => refusal.index);
    const partial = (error as { result?: { upsertedCount?: number; modifiedCount?: number } }).result;
    created += partial?.upsertedCount ?? 0;
    updated = partial?.modifiedCount ?? 0;
  }
  // Every matched upsert modifies (the guard requires an older version, the update sets the newer one): only a refusal can be stale.
  let stale = 0;
  for (const index of refused) {
    const { filter, update } = pending[index]!;
    if ((await collection.updateOne(filter, update)).modifiedCount > 0) updated++;
    else stale++;
  }
  return { created, updated, stale };
}

/**
 * Writes Clerk organizations and one organization's memberships in bulk,
 * through the same order guards as webhooks (guardedOrganizationUpsert,
 * guardedMembershipWrite): each page is looked up in one `$in` query, only
 * what is new (inserted) or stored older (the guarded update) is written, so
 * a re-run writes nothing, a newer webhook write is never overwritten and a tombstone never
 * revived. `dryRun` counts the verdicts and writes nothing.
 */
export class OrganizationBatchWriter {
  organizationCounts: SyncCounts = ZERO_COUNTS;
  membershipCounts: SyncCounts = ZERO_COUNTS;

  constructor(
    private readonly store: Store,
    private readonly dryRun: boolean,
  ) {}

  /** Writes a page of organizations; returns the readable ones (whose memberships are read next). */
  async writeOrganizations(rawOrganizations: unknown[]): Promise<ClerkOrganizationJson[]> {
    const readable = parseAll(
      rawOrganizations,
      (raw) => clerkOrganizationJsonSchema.safeParse(raw),
      (failed) => this.countOrganizations({ failed }),
    );
    const ids = readable.map((organization) => organization.id);
    const stored = await lookUp(this.store.organizations, { clerkOrgId: { $in: ids } }, (doc) => doc.clerkOrgId);
    const creates: Guarded<StoredOrganization>[] = [];
    const updates: Guarded<StoredOrganization>[] = [];
    const now = new Date();
    for (const organization of readable) {
      const outcome = verdict(stored.get(organization.id), organization.updated_at, true);
      if (outcome === 'unchanged' || outcome === 'stale') this.countOrganizations({ [outcome]: 1 });
      else if (this.dryRun) this.countOrganizations(outcome === 'create' ? { created: 1 } : { updated: 1 });
      else {
        const write = guarded<StoredOrganization>(
          guardedOrganizationUpsert(organizationFieldsOf(organization), organization.updated_at, now),
          {
            clerkOrgId: organization.id,
            deletedAt: null,
          },
        );
        (outcome === 'create' ? creates : updates).push(write);
      }
    }
    if (!this.dryRun) this.countOrganizations(await writeGuarded(this.store.organizations, creates, updates));
    return readable;
  }

  /**
   * Writes a page of one organization's memberships. Both sides are linked
   * as a webhook links them: the organization's document (written just
   * before, from the listing), each user's (a version-0 stub when the user is
   * not stored). Then the re-check a webhook makes: memberships of a user or
   * organization deleted meanwhile end at that deletion.
   */
  async writeMemberships(clerkOrgId: string, rawMemberships: unknown[]): Promise<void> {
    const readable = parseAll(
      rawMemberships,
      (raw) => clerkMembershipJsonSchema.safeParse(raw),
      (failed) => this.countMemberships({ failed }),
    );
    // Never another organization's: a wrong answer must not write memberships nobody asked about.
    const ours = readable.filter((membership) => membership.organization.id === clerkOrgId);
    this.countMemberships({ failed: readable.length - ours.length });
    if (ours.length === 0) return;
    const userIds = ours.map((membership) => membership.public_user_data.user_id);
    const stored = await lookUp(this.store.memberships, { clerkOrgId, clerkUserId: { $in: userIds } }, (doc) => doc.clerkUserId);
    const pending: { membership: ClerkMembershipJson; create: boolean }[] = [];
    for (const membership of ours) {
      // The membership guard is the version alone (a rejoin is a newer version of the pair), as for webhooks.
      const outcome = verdict(stored.get(membership.public_user_data.user_id), membership.updated_at, false);
      if (outcome === 'unchanged' || outcome === 'stale') this.countMemberships({ [outcome]: 1 });
      else if (this.dryRun) this.countMemberships(outcome === 'create' ? { created: 1 } : { updated: 1 });
      else pending.push({ membership, create: outcome === 'create' });
    }
    if (this.dryRun || pending.length === 0) return;

    const organization = await this.store.organizations.findOne({ clerkOrgId }, { projection: { _id: 1 } });
    if (!organization) throw new Error('an organization document vanished while its memberships were linked to it');
    const users = await this.userLinks(pending.map(({ membership }) => membership.public_user_data.user_id));
    const now = new Date();
    const creates: Guarded<StoredMembership>[] = [];
    const updates: Guarded<StoredMembership>[] = [];
    for (const { membership, create } of pending) {
      const fields = membershipFieldsOf(membership);
      const links = { organizationId: organization._id, userId: users.get(fields.clerkUserId)! };
      const write = guardedMembershipWrite(fields, links, membership.updated_at, null, now);
      (create ? creates : updates).push(guarded<StoredMembership>(write, { clerkOrgId, clerkUserId: fields.clerkUserId }));
    }
    this.countMemberships(await writeGuarded(this.store.memberships, creates, updates));
    await this.endIfSideDeleted(clerkOrgId, userIds);
  }

  /** Each user's `_id`, a version-0 stub (as a session event or a membership webhook makes) inserted for the missing ones. */
  private async userLinks(clerkUserIds: string[]): Promise<Map<string, ObjectId>> {
    const find = async () =>
      new Map(
        (await this.store.users.find({ clerkId: { $in: clerkUserIds } }, { projection: { _id: 1, clerkId: 1 } }).toArray()).map((user) => [
          user.clerkId,
          user._id,
        ]),
      );
    const found = await find();
    const missing = clerkUserIds.filter((id) => !found.has(id));
    if (missing.length === 0) return found;
    const now = new Date();
    const stubs = missing.map((clerkId): AnyBulkWriteOperation<StoredUser> => ({
      updateOne: { filter: { clerkId }, update: { $setOnInsert: memberStub(now) }, upsert: true },
    }));
    try {
      await this.store.users.bulkWrite(stubs, { ordered: false });
    } catch (error) {
      // Another writer inserted the same user meanwhile: it exists now, which is all that is needed.
      if (writeErrorsOf(error).some((refusal) => !isDuplicateKey(refusalError(refusal))) || writeErrorsOf(error).length === 0) throw error;
    }
    return find();
  }

  /**
   * The webhooks' re-check after a membership write: a deleted organization
   * or user is final, and its tombstone is written before its cascade, so
   * either the cascade saw these memberships or this check sees the tombstone.
   */
  private async endIfSideDeleted(clerkOrgId: string, clerkUserIds: string[]): Promise<void> {
    const [organization, deletedUsers] = await Promise.all([
      this.store.organizations.findOne({ clerkOrgId, deletedAt: { $ne: null } }, { projection: { deletedAt: 1 } }),
      this.store.users
        .find({ clerkId: { $in: clerkUserIds }, deletedAt: { $ne: null } }, { projection: { clerkId: 1, deletedAt: 1 } })
        .toArray(),
    ]);
    if (organization?.deletedAt) await endMemberships(this.store, { clerkOrgId }, organization.deletedAt);
    for (const user of deletedUsers)
      if (user.deletedAt) await endMemberships(this.store, { clerkOrgId, clerkUserId: user.clerkId }, user.deletedAt);
  }

  countOrganizations(delta: Partial<SyncCounts>): void {
    this.organizationCounts = addCounts(this.organizationCounts, delta);
  }

  countMemberships(delta: Partial<SyncCounts>): void {
    this.membershipCounts = addCounts(this.membershipCounts, delta);
  }
}

function parseAll<T>(
  raws: unknown[],
  parse: (raw: unknown) => { success: true; data: T } | { success: false },
  onFailed: (count: number) => void,
): T[] {
  const readable: T[] = [];
  for (const raw of raws) {
    const parsed = parse(raw);
    if (parsed.success) readable.push(parsed.data);
  }
  onFailed(raws.length - readable.length);
  return readable;
}

async function lookUp<T extends { version: number; deletedAt?: Date | null }>(
  collection: Collection<T>,
  filter: Filter<T>,
  keyOf: (document: T) => string,
): Promise<Map<string, Stored>> {
  const found = (await collection.find(filter).toArray()) as T[];
  return new Map(found.map((document) => [keyOf(document), { version: document.version, deletedAt: document.deletedAt ?? null }]));
}
