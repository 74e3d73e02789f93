import 'server-only';
import { unlessDatabaseDown, type HeartbeatSource, type Presence, type UserDocument } from 'clerk-mongo-sync';
import { clerkSync } from '@/lib/clerk-sync';

/** The People page shows at most this many users, most recently seen first. */
const PEOPLE_LIMIT = 100;

type PersonFields = Pick<UserDocument, 'clerkId' | 'firstName' | 'lastName' | 'username' | 'imageUrl'>;
export type Person = PersonFields & { presence: Presence; isViewer: boolean };
export type PeopleView = { state: 'ready'; people: Person[]; asOf: Date } | { state: 'unavailable' };

/** Online first, then by last activity, never-seen last. */
function byPresence(a: Person, b: Person): number {
  if (a.presence.isOnline !== b.presence.isOnline) return a.presence.isOnline ? -1 : 1;
  return (b.presence.lastSeen?.getTime() ?? -Infinity) - (a.presence.lastSeen?.getTime() ?? -Infinity);
}

/**
 * The signed-in People page: synced, undeleted users (no presence stubs, no
 * tombstones) with their presence as of `now`. The viewer's page view counts
 * as their activity first, so they see themselves as they are. Only names
 * and avatars are shown to other users, never contact details.
 */
export async function loadPeople(viewer: HeartbeatSource, now = new Date()): Promise<PeopleView> {
  return unlessDatabaseDown(
    async (): Promise<PeopleView> => {
      await clerkSync.presence.heartbeat(viewer, now);
      const users = await (
        await clerkSync.users.collection()
      )
        .find(
          { deletedAt: null, version: { $gt: 0 } },
          {
            sort: { lastSeen: -1 },
            limit: PEOPLE_LIMIT,
            projection: {
              clerkId: 1,
              firstName: 1,
              lastName: 1,
              username: 1,
              imageUrl: 1,
              lastSeen: 1,
              isOnline: 1,
              onlineUntil: 1,
              presenceGeneration: 1,
            },
          },
        )
        .toArray();
      const presence = await clerkSync.presence.now(users, now);
      const people = users.map((user) => ({
        clerkId: user.clerkId,
        firstName: user.firstName ?? null,
        lastName: user.lastName ?? null,
        username: user.username ?? null,
        imageUrl: user.imageUrl ?? null,
        presence: presence.get(user.clerkId) ?? { isOnline: false, lastSeen: null, onlineUntil: null },
        isViewer: user.clerkId === viewer.clerkId,
      }));
      return { state: 'ready', people: people.sort(byPresence), asOf: now };
    },
    (): PeopleView => ({ state: 'unavailable' }),
  );
}
