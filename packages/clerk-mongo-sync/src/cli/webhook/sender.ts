/**
 * Builds, signs and delivers Clerk webhook events the way Clerk (through
 * Svix) does, from the same fixtures the tests use. Backs `send` and
 * doctor's round-trip check.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  clerkUser,
  clerkId,
  sessionEvent,
  userCreatedEvent,
  userDeletedEvent,
  userUpdatedEvent,
  type ClerkUserJsonFixture,
} from '../../testing/payloads.js';
import { signWebhook } from '../../testing/svix.js';
import { SESSION_EVENT_TYPES } from '../../webhooks/events.js';
import { post, type PostResult } from '../http.js';

export const SENDABLE_EVENT_TYPES = ['user.created', 'user.updated', 'user.deleted', ...SESSION_EVENT_TYPES] as const;
export type SendableEventType = (typeof SENDABLE_EVENT_TYPES)[number];

export function isSendableEventType(value: string): value is SendableEventType {
  return (SENDABLE_EVENT_TYPES as readonly string[]).includes(value);
}

/** Profile fields a developer can set on the command line; anything unset keeps its current (or fixture) value. */
export type ProfileChanges = {
  firstName?: string;
  lastName?: string;
  username?: string;
  email?: string;
  phone?: string;
  /** public_metadata.role, e.g. "admin" for the /admin page. */
  role?: string;
};

export type BuiltEvent = {
  payload: { type: SendableEventType; data: { id: string } | { user_id: string } };
  userId: string;
  /** The user as Clerk would now hold it (user.created / user.updated): what to remember for the next update. */
  user?: ClerkUserJsonFixture;
  /** The session a session event concerns: what a later session.ended ends. */
  session?: RememberedSession;
};

/** The last session this tool started, so session.ended/removed/revoked end that one, not a made-up one. */
export type RememberedSession = { id: string; userId: string; createdAt: number };

type BuildOptions = {
  userId: string | undefined;
  changes?: ProfileChanges;
  /** The last user this tool created, so an update keeps the rest of its profile. */
  remembered?: ClerkUserJsonFixture;
  rememberedSession?: RememberedSession;
  now?: number;
};

export class SenderError extends Error {
  override name = 'SenderError';
}

export function buildEvent(
  type: SendableEventType,
  { userId, changes = {}, remembered, rememberedSession, now = Date.now() }: BuildOptions,
): BuiltEvent {
  if (type === 'user.created') {
    const user = withChanges(clerkUser({ id: userId, createdAt: now }), changes, now);
    return { payload: userCreatedEvent(user), userId: user.id, user };
  }

  const id = userId ?? remembered?.id;
  if (!id) throw new SenderError(`no user to send ${type} for: pass --user <id>, or send user.created first (its id is remembered)`);

  switch (type) {
    case 'user.updated': {
      const base = remembered?.id === id ? remembered : clerkUser({ id, createdAt: now - 60_000 });
      // Strictly newer than what was sent before, or the app rightly ignores it as stale.
      const updatedAt = Math.max(now, base.updated_at + 1);
      const user = withChanges(base, changes, updatedAt);
      return { payload: userUpdatedEvent(user), userId: id, user };
    }
    case 'user.deleted':
      return { payload: userDeletedEvent(id, now), userId: id };
    default: {
      // A new session on session.created; any other session event ends the user's last one.
      const ongoing = type !== 'session.created' && rememberedSession?.userId === id ? rememberedSession : undefined;
      const session = ongoing ?? { id: clerkId('sess'), userId: id, createdAt: now };
      return {
        payload: sessionEvent(type, { userId: id, sessionId: session.id, createdAt: session.createdAt, at: now }),
        userId: id,
        session,
      };
    }
  }
}

function withChanges(user: ClerkUserJsonFixture, changes: ProfileChanges, updatedAt: number): ClerkUserJsonFixture {
  const next: ClerkUserJsonFixture = { ...user, updated_at: updatedAt };
  if (changes.firstName !== undefined) next.first_name = changes.firstName;
  if (changes.lastName !== undefined) next.last_name = changes.lastName;
  if (changes.username !== undefined) next.username = changes.username;
  if (changes.role !== undefined) next.public_metadata = { ...user.public_metadata, role: changes.role };
  if (changes.email !== undefined || changes.phone !== undefined) {
    // The fixture builds email/phone objects exactly as Clerk shapes them.
    const shaped = clerkUser({ email: changes.email ?? null, phone: changes.phone ?? null, createdAt: updatedAt });
    if (changes.email !== undefined) {
      next.email_addresses = shaped.email_addresses;
      next.primary_email_address_id = shaped.primary_email_address_id;
    }
    if (changes.phone !== undefined) {
      next.phone_numbers = shaped.phone_numbers;
      next.primary_phone_number_id = shaped.primary_phone_number_id;
    }
  }
  return next;
}

export type Sent = { svixId: string; result: PostResult };

/** Signs `payload` with `secret` exactly as Svix does and POSTs it; redirects are reported, not followed. */
export async function sendSignedEvent(url: string, secret: string, payload: unknown, timeoutMs?: number): Promise<Sent> {
  const delivery = signWebhook(secret, payload);
  const result = await post(url, { headers: delivery.headers, body: delivery.body, timeoutMs });
  return { svixId: delivery.svixId, result };
}

type Remembered = { user?: ClerkUserJsonFixture; session?: RememberedSession };

/**
 * Remembers the last user and session sent, so `send user.updated` or
 * `send session.ended` without --user applies to them. Fake data only; git-ignored.
 */
export function lastUserStore(file: string) {
  const load = (): Remembered => {
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as Remembered;
    } catch {
      return {};
    }
  };
  const save = (remembered: Remembered) => {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(remembered, null, 2)}\n`);
  };
  return {
    read(): ClerkUserJsonFixture | undefined {
      const { user } = load();
      return typeof user?.id === 'string' ? user : undefined;
    },
    readSession(): RememberedSession | undefined {
      const { session } = load();
      return typeof session?.id === 'string' ? session : undefined;
    },
    write(user: ClerkUserJsonFixture): void {
      save({ ...load(), user });
    },
    writeSession(session: RememberedSession | undefined): void {
      save({ ...load(), session });
    },
    forget(): void {
      rmSync(file, { force: true });
    },
  };
}
