import 'server-only';
import { unlessDatabaseDown, type CurrentOrganization, type HeartbeatSource, type Presence } from 'clerk-mongo-sync';
import type { ObjectId } from 'mongodb';
import { listOwnTeamAssessments, listTeamAssessments } from '@/lib/assessments/repository';
import type { AssessmentRecord } from '@/lib/assessments/schema';
import { clerkSync, loadOrganization } from '@/lib/clerk-sync';
import { teamResultsAccess, type TeamResultsAccess } from './access';
import { byRoleThenName, memberName, roleLabel } from './members';

/** What a member without a synced profile (a membership ahead of its user's webhook) is called. */
const UNSYNCED_NAME = 'Profile not synced yet';
/** Whose result it is once its user was deleted (DELETION_POLICY=anonymize keeps it unlinked). */
const FORMER_USER = 'Deleted user';

export type TeamMember = {
  clerkUserId: string;
  name: string;
  imageUrl: string | null;
  role: string;
  roleLabel: string;
  presence: Presence;
  isViewer: boolean;
};

export type TeamResult = Pick<AssessmentRecord, '_id' | 'title' | 'score' | 'maxScore' | 'createdAt'> & {
  memberName: string;
  isViewers: boolean;
};

export type TeamView =
  | {
      state: 'ready';
      organization: { name: string; slug: string | null };
      viewerRole: string;
      members: TeamMember[];
      /** `all`: every member's results (the viewer is an admin by session and membership); `own`: the viewer's only. */
      results: { access: TeamResultsAccess; records: TeamResult[] };
      asOf: Date;
    }
  | { state: 'no_organization' }
  | { state: Exclude<CurrentOrganization['state'], 'ready'> };

export type TeamViewer = HeartbeatSource & {
  /** The session's active organization (`auth().orgId`); none: the personal account. */
  clerkOrgId: string | null | undefined;
  /** `auth().has({ role: 'org:admin' })`: what the session's claims say. */
  sessionSaysAdmin: boolean;
};

/**
 * The /team page for the session's active organization: its name, its
 * members from our `memberships` joined to `users` by `userId` (with role
 * and presence as of `now`), and the assessment results the viewer may see.
 * The organization and the viewer's membership are synced just in time when
 * no webhook has delivered them; anything but a live organization with an
 * active membership of the viewer is a state, never a half-loaded page.
 */
export async function loadTeam(viewer: TeamViewer, now = new Date()): Promise<TeamView> {
  if (!viewer.clerkOrgId) return { state: 'no_organization' };
  const clerkOrgId = viewer.clerkOrgId;
  const current = await loadOrganization(clerkOrgId, viewer.clerkId);
  if (current.state !== 'ready') return { state: current.state };
  const access = teamResultsAccess({ sessionSaysAdmin: viewer.sessionSaysAdmin, membershipRole: current.membership.role });

  return unlessDatabaseDown(
    async (): Promise<TeamView> => {
      await clerkSync.presence.heartbeat(viewer, now);
      const [memberships, records] = await Promise.all([
        clerkSync.memberships.ofOrganization(clerkOrgId),
        access === 'all' ? listTeamAssessments(clerkOrgId) : listOwnTeamAssessments(viewer.clerkId, clerkOrgId),
      ]);
      const users = await profilesOf([
        ...memberships.map((membership) => membership.userId),
        ...records.flatMap((record) => record.userId ?? []),
      ]);
      const presence = await clerkSync.presence.now([...users.values()], now);
      const nameOf = (userId: ObjectId | null) => {
        const user = userId && users.get(userId.toHexString());
        if (!user) return userId ? UNSYNCED_NAME : FORMER_USER;
        return memberName(
          user.version > 0 ? { firstName: user.firstName ?? null, lastName: user.lastName ?? null, username: user.username ?? null } : null,
          UNSYNCED_NAME,
        );
      };

      const members = memberships
        .map((membership): TeamMember => {
          const user = users.get(membership.userId.toHexString());
          return {
            clerkUserId: membership.clerkUserId,
            name: nameOf(membership.userId),
            imageUrl: (user?.version ?? 0) > 0 ? (user?.imageUrl ?? null) : null,
            role: membership.role,
            roleLabel: roleLabel(membership),
            presence: presence.get(membership.clerkUserId) ?? { isOnline: false, lastSeen: null, onlineUntil: null },
            isViewer: membership.clerkUserId === viewer.clerkId,
          };
        })
        .sort(byRoleThenName);
      const results = records.map((record): TeamResult => ({
        _id: record._id,
        title: record.title,
        score: record.score,
        maxScore: record.maxScore,
        createdAt: record.createdAt,
        memberName: nameOf(record.userId),
        isViewers: record.clerkUserId === viewer.clerkId,
      }));
      return {
        state: 'ready',
        organization: { name: current.organization.name ?? clerkOrgId, slug: current.organization.slug },
        viewerRole: roleLabel(current.membership),
        members,
        results: { access, records: results },
        asOf: now,
      };
    },
    (): TeamView => ({ state: 'unavailable' }),
  );
}

/** The users documents behind `userIds`, by `_id` (hex): names, avatars and the facts presence is computed from. */
async function profilesOf(userIds: ObjectId[]) {
  const users = await (
    await clerkSync.users.collection()
  )
    .find(
      { _id: { $in: userIds } },
      {
        projection: {
          clerkId: 1,
          firstName: 1,
          lastName: 1,
          username: 1,
          imageUrl: 1,
          version: 1,
          deletedAt: 1,
          lastSeen: 1,
          isOnline: 1,
          onlineUntil: 1,
          presenceGeneration: 1,
        },
      },
    )
    .toArray();
  return new Map(users.map((user) => [user._id.toHexString(), user]));
}
