/**
 * What the members of a replica set say of themselves, for the failover
 * tests on a replica set and on a sharded cluster's shards.
 */
import { DEFAULT_COLLECTIONS as COLLECTIONS } from 'clerk-mongo-sync';
import type { ReplicaSetMember } from '../../tools/harness/replica-set';

/** When the member was elected primary, as replSetGetStatus reports it (whole seconds). */
export async function electedAt(member: ReplicaSetMember): Promise<number> {
  const status = await member.command({ replSetGetStatus: 1 });
  const self = (status.members as { self?: boolean; electionDate?: Date }[]).find((candidate) => candidate.self);
  return self?.electionDate?.getTime() ?? Number.NaN;
}

/** Waits until every member holds the same users and ledger (dbHash), the restarted one included; the members' hashes. */
export async function membersAgree(members: readonly ReplicaSetMember[], database: string): Promise<string[]> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const hashes = await Promise.all(
      members.map(async (member) => {
        const answer = await member.command({ dbHash: 1, collections: [COLLECTIONS.users, COLLECTIONS.deliveries] }, { database });
        return String(answer.md5);
      }),
    );
    if (new Set(hashes).size === 1 || Date.now() > deadline) return hashes;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
