import type { Engine } from '../engine/engine.js';
import type { Store } from '../engine/store.js';
import { findOrganization } from '../organizations/repository.js';
import { findUser } from '../users/repository.js';
import type { AppFields } from '../users/schema.js';
import type { ClerkEvent } from './events.js';
import { wasAcknowledged } from './ledger.js';

/** The hook an event type has, by the option's name (for the log line). */
const HOOK_OF = {
  'user.created': 'onUserCreated',
  'user.updated': 'onUserUpdated',
  'user.deleted': 'onUserDeleted',
  'organization.deleted': 'onOrganizationDeleted',
} as const;

/**
 * The adopter's hook for this event, after its write and before its ledger
 * entry, so a hook that throws leaves the delivery unacknowledged (500, the
 * ledger says `hook_failed`) and Svix's retry runs it again, while the write,
 * idempotent and order-guarded, repeats as a no-op. So that the retry still
 * runs it, the hook runs whether the write applied or came out stale, with
 * the user as stored now; only a redelivery of a svix-id already answered
 * 2xx skips it (one read of the ledger, only when there is a hook). Created
 * and updated hooks skip a user deleted meanwhile; `onUserDeleted` runs on
 * every `user.deleted`, `onOrganizationDeleted` on every `organization.deleted`.
 * Returns the hook's name when one ran, for the log.
 */
export async function runHook<Fields extends AppFields>(
  engine: Engine<Fields>,
  store: Store,
  event: ClerkEvent,
  svixId: string,
): Promise<string | undefined> {
  if (event.type === 'organization.deleted') {
    if (!engine.options.onOrganizationDeleted || (await wasAcknowledged(store, svixId))) return undefined;
    const organization = await findOrganization(store, event.data.id);
    await engine.options.onOrganizationDeleted({ clerkOrgId: event.data.id, organization, event, database: store.database });
    return HOOK_OF[event.type];
  }
  if (event.type !== 'user.created' && event.type !== 'user.updated' && event.type !== 'user.deleted') return undefined;
  const name = HOOK_OF[event.type];
  const hook = engine.options[name];
  if (!hook || (await wasAcknowledged(store, svixId))) return undefined;
  const user = await findUser<Fields>(store, event.data.id);
  const { database } = store;
  switch (event.type) {
    case 'user.created':
      if (!user || user.deletedAt) return undefined;
      await engine.options.onUserCreated?.({ user, event, database });
      return name;
    case 'user.updated':
      if (!user || user.deletedAt) return undefined;
      await engine.options.onUserUpdated?.({ user, event, database });
      return name;
    case 'user.deleted':
      await engine.options.onUserDeleted?.({ clerkId: event.data.id, user, event, database });
      return name;
  }
}

/** The hook that an event would run, by name: for the log line when it throws. */
export function hookNameOf(eventType: string): string | undefined {
  return Object.hasOwn(HOOK_OF, eventType) ? HOOK_OF[eventType as keyof typeof HOOK_OF] : undefined;
}
