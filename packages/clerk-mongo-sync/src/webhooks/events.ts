import { z } from 'zod';
import { clerkMembershipJsonSchema, clerkOrganizationJsonSchema, clerkOrgIdSchema } from '../organizations/clerk-organization.js';
import { clerkSessionIdSchema, clerkUserIdSchema, clerkUserJsonSchema } from '../users/clerk-user.js';

/**
 * Clerk webhook events the engine acts on. Unknown fields pass through
 * (`looseObject`): Clerk adds fields without notice, and a receiver that
 * rejected them would stall the whole endpoint.
 */

const envelope = {
  object: z.literal('event').optional(),
  /** When Clerk emitted the event (ms). The order guard for the deletes, whose data has no `updated_at`. */
  timestamp: z.number().int().nonnegative().optional(),
  instance_id: z.string().optional(),
};

const sessionJsonSchema = z.looseObject({
  id: clerkSessionIdSchema,
  user_id: clerkUserIdSchema,
  status: z.string(),
  last_active_at: z.number().int().nonnegative().optional(),
  /** When the session expires or is abandoned: Clerk sends no event then, so presence checks these itself. */
  expire_at: z.number().int().nonnegative().optional(),
  abandon_at: z.number().int().nonnegative().optional(),
  created_at: z.number().int().nonnegative(),
  updated_at: z.number().int().nonnegative(),
});

export const SESSION_EVENT_TYPES = ['session.created', 'session.ended', 'session.removed', 'session.revoked'] as const;
export const MEMBERSHIP_EVENT_TYPES = [
  'organizationMembership.created',
  'organizationMembership.updated',
  'organizationMembership.deleted',
] as const;

const clerkEventSchema = z.discriminatedUnion('type', [
  z.looseObject({ ...envelope, type: z.literal('user.created'), data: clerkUserJsonSchema }),
  z.looseObject({ ...envelope, type: z.literal('user.updated'), data: clerkUserJsonSchema }),
  z.looseObject({
    ...envelope,
    type: z.literal('user.deleted'),
    data: z.looseObject({ id: clerkUserIdSchema, object: z.string().optional(), deleted: z.boolean().optional() }),
  }),
  z.looseObject({ ...envelope, type: z.enum(SESSION_EVENT_TYPES), data: sessionJsonSchema }),
  z.looseObject({ ...envelope, type: z.literal('organization.created'), data: clerkOrganizationJsonSchema }),
  z.looseObject({ ...envelope, type: z.literal('organization.updated'), data: clerkOrganizationJsonSchema }),
  z.looseObject({
    ...envelope,
    type: z.literal('organization.deleted'),
    data: z.looseObject({ id: clerkOrgIdSchema, object: z.string().optional(), deleted: z.boolean().optional() }),
  }),
  // The deleted event carries the whole membership too, as it was; its envelope timestamp orders it.
  z.looseObject({ ...envelope, type: z.enum(MEMBERSHIP_EVENT_TYPES), data: clerkMembershipJsonSchema }),
]);

export type ClerkEvent = z.infer<typeof clerkEventSchema>;
export type ClerkEventType = ClerkEvent['type'];
export type SessionEvent = Extract<ClerkEvent, { type: (typeof SESSION_EVENT_TYPES)[number] }>;
export type OrganizationEvent = Extract<ClerkEvent, { type: `organization.${string}` }>;
export type MembershipEvent = Extract<ClerkEvent, { type: (typeof MEMBERSHIP_EVENT_TYPES)[number] }>;

/** Read first, to tell a type we ignore from a malformed event. Built once: zod compiles a schema on its first parse. */
const eventHeadSchema = z.looseObject({ type: z.string().min(1) });

const KNOWN_TYPES = new Set<string>([
  'user.created',
  'user.updated',
  'user.deleted',
  ...SESSION_EVENT_TYPES,
  'organization.created',
  'organization.updated',
  'organization.deleted',
  ...MEMBERSHIP_EVENT_TYPES,
]);

export type ParsedEvent =
  { kind: 'event'; event: ClerkEvent } | { kind: 'unknown_type'; type: string } | { kind: 'invalid'; reason: string; type?: string };

/** Sorts a verified JSON payload into an event we handle, a type we ignore, or a schema violation. */
export function parseClerkEvent(payload: unknown): ParsedEvent {
  const head = eventHeadSchema.safeParse(payload);
  if (!head.success) return { kind: 'invalid', reason: 'payload must be a JSON object with a string "type"' };
  if (!KNOWN_TYPES.has(head.data.type)) return { kind: 'unknown_type', type: head.data.type };

  const parsed = clerkEventSchema.safeParse(payload);
  if (parsed.success) return { kind: 'event', event: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue?.path.length ? issue.path.join('.') : 'payload';
  return { kind: 'invalid', type: head.data.type, reason: `${where}: ${issue?.message ?? 'invalid'}` };
}

/** The Clerk user an event concerns, for the ledger and logs; `null` for an organization's own events. */
export function clerkUserIdOf(event: ClerkEvent): string | null {
  switch (event.type) {
    case 'user.created':
    case 'user.updated':
    case 'user.deleted':
      return event.data.id;
    case 'organization.created':
    case 'organization.updated':
    case 'organization.deleted':
      return null;
    case 'organizationMembership.created':
    case 'organizationMembership.updated':
    case 'organizationMembership.deleted':
      return event.data.public_user_data.user_id;
    default:
      return event.data.user_id;
  }
}

/** The Clerk organization an event concerns, for the ledger and logs; `null` for user and session events. */
export function clerkOrgIdOf(event: ClerkEvent): string | null {
  switch (event.type) {
    case 'organization.created':
    case 'organization.updated':
    case 'organization.deleted':
      return event.data.id;
    case 'organizationMembership.created':
    case 'organizationMembership.updated':
    case 'organizationMembership.deleted':
      return event.data.organization.id;
    default:
      return null;
  }
}
