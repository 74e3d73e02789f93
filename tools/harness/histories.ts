/**
 * Users' lives at Clerk as webhook events: user.created, several user.updated
 * with strictly increasing updated_at, sometimes user.deleted. Full realistic
 * payloads from tools/clerk/payloads.ts; metadata keys that need encoding
 * (`$`, `.`) and users without email or name included on purpose.
 */
import { clerkUser, userCreatedEvent, userDeletedEvent, userUpdatedEvent } from 'clerk-mongo-sync/testing';
import type { Rng } from './random';

export type UserEvent = ReturnType<typeof userCreatedEvent> | ReturnType<typeof userUpdatedEvent> | ReturnType<typeof userDeletedEvent>;

export type UserHistory = { userId: string; events: UserEvent[] };

export type HistoryOptions = {
  users: number;
  /** Events per history, user.created included: exact, or a [min, max] range. */
  events: number | readonly [number, number];
  /** Chance that a history's last event is user.deleted. */
  deleteChance: number;
  /** Base62 characters that start every generated user id, so runs sharing a database never collide. */
  idTag?: string;
};

const FIRST_NAMES = ['Ada', 'Grace', 'Alan', 'Katherine', 'Linus', 'Zoë', 'José', '$set', 'a.b', null] as const;
const LAST_NAMES = ['Lovelace', 'Hopper', 'Turing', 'Johnson', "O'Brien", 'Müller', null] as const;
const METADATA = [
  {},
  { role: 'admin' },
  { role: 'member', plan: { tier: 'pro', seats: 5 } },
  { $inc: { credits: 5 }, 'x.y': true },
  { role: 'member', tags: ['$a', 'b'], onboarding: { step: 3, done: false } },
];
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A Clerk-shaped user id (`user_2` + 26 base62), reproducible from the seed. */
function userIdFrom(rng: Rng, tag: string): string {
  let body = tag;
  while (body.length < 26) body += BASE62[rng.int(0, 61)];
  return `user_2${body}`;
}

function history(rng: Rng, userId: string, options: HistoryOptions): UserEvent[] {
  const [min, max] = typeof options.events === 'number' ? [options.events, options.events] : options.events;
  const total = rng.int(min, max);
  const deleted = total > 1 && rng.chance(options.deleteChance);
  const createdAt = Date.now() - 3_600_000 + rng.int(0, 600_000);
  let updatedAt = createdAt;
  const snapshot = () =>
    clerkUser({
      id: userId,
      createdAt,
      updatedAt,
      firstName: rng.pick(FIRST_NAMES),
      lastName: rng.pick(LAST_NAMES),
      username: rng.chance(0.5) ? `user${rng.int(1, 99_999)}` : null,
      email: rng.chance(0.9) ? `person${rng.int(1, 999_999)}@example.com` : null,
      extraEmails: rng.chance(0.2) ? [`alt${rng.int(1, 9_999)}@example.org`] : [],
      phone: rng.chance(0.4) ? `+1555${rng.int(1_000_000, 9_999_999)}` : null,
      publicMetadata: rng.pick(METADATA),
      lastSignInAt: rng.chance(0.6) ? updatedAt - rng.int(0, 60_000) : null,
    });

  const events: UserEvent[] = [userCreatedEvent(snapshot())];
  for (let i = 1; i < total - (deleted ? 1 : 0); i++) {
    updatedAt += rng.int(1, 5_000);
    events.push(userUpdatedEvent(snapshot()));
  }
  if (deleted) events.push(userDeletedEvent(userId, updatedAt + rng.int(1, 5_000)));
  return events;
}

export function generateHistories(rng: Rng, options: HistoryOptions): UserHistory[] {
  return Array.from({ length: options.users }, () => {
    const userId = userIdFrom(rng, options.idTag ?? '');
    return { userId, events: history(rng, userId, options) };
  });
}
