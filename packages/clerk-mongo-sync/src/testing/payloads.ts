/**
 * Realistic Clerk payloads: the JSON shapes Clerk sends in webhooks and
 * returns from its Backend API (snake_case, ms timestamps, nested
 * email/phone objects). What the engine's own tests, its `send` command and
 * an adopter's tests build events from.
 */
import { randomBytes } from 'node:crypto';

export type ClerkUserJsonFixture = {
  id: string;
  object: 'user';
  username: string | null;
  first_name: string | null;
  last_name: string | null;
  image_url: string;
  profile_image_url: string;
  has_image: boolean;
  primary_email_address_id: string | null;
  primary_phone_number_id: string | null;
  primary_web3_wallet_id: null;
  password_enabled: boolean;
  two_factor_enabled: boolean;
  totp_enabled: boolean;
  backup_code_enabled: boolean;
  email_addresses: Array<{
    id: string;
    object: 'email_address';
    email_address: string;
    reserved: boolean;
    verification: { status: 'verified'; strategy: string; attempts: null; expire_at: null };
    linked_to: Array<{ id: string; type: string }>;
    created_at: number;
    updated_at: number;
  }>;
  phone_numbers: Array<{
    id: string;
    object: 'phone_number';
    phone_number: string;
    reserved_for_second_factor: boolean;
    default_second_factor: boolean;
    reserved: boolean;
    verification: { status: 'verified'; strategy: 'phone_code'; attempts: number; expire_at: number };
    linked_to: [];
    backup_codes: null;
    created_at: number;
    updated_at: number;
  }>;
  web3_wallets: [];
  passkeys: [];
  external_accounts: [];
  saml_accounts: [];
  enterprise_accounts: [];
  public_metadata: Record<string, unknown>;
  private_metadata: Record<string, unknown>;
  unsafe_metadata: Record<string, unknown>;
  external_id: string | null;
  last_sign_in_at: number | null;
  banned: boolean;
  locked: boolean;
  lockout_expires_in_seconds: null;
  verification_attempts_remaining: number;
  created_at: number;
  updated_at: number;
  delete_self_enabled: boolean;
  create_organization_enabled: boolean;
  last_active_at: number | null;
  legal_accepted_at: number | null;
};

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A Clerk-style id: prefix + 27 base62 characters, e.g. `user_2abc…`. */
export function clerkId(prefix: 'user' | 'sess' | 'idn' | 'client' | 'msg' | 'evt' | 'dvb' | 'org' | 'orgmem' = 'user'): string {
  const bytes = randomBytes(27);
  let body = '2';
  for (let i = 1; i < 27; i++) body += BASE62[bytes[i]! % 62];
  return `${prefix}_${body}`;
}

export type ClerkUserOptions = {
  id?: string;
  firstName?: string | null;
  lastName?: string | null;
  username?: string | null;
  email?: string | null;
  extraEmails?: string[];
  phone?: string | null;
  imageUrl?: string;
  publicMetadata?: Record<string, unknown>;
  unsafeMetadata?: Record<string, unknown>;
  createdAt?: number;
  updatedAt?: number;
  lastSignInAt?: number | null;
};

const DEFAULT_IMAGE = 'https://img.clerk.com/eyJ0eXBlIjoiZGVmYXVsdCIsImlpZCI6Imluc18yYWJjIiwicmlkIjoidXNlcl8yYWJjIn0';

/** A user as Clerk serialises it. Pass `email: null` / `phone: null` etc. for users without them. */
export function clerkUser(options: ClerkUserOptions = {}): ClerkUserJsonFixture {
  const createdAt = options.createdAt ?? Date.now() - 60_000;
  const updatedAt = options.updatedAt ?? createdAt;
  const email = options.email === undefined ? `ada.lovelace+${randomBytes(3).toString('hex')}@example.com` : options.email;
  const addresses = [...(email ? [email] : []), ...(options.extraEmails ?? [])].map((address) => ({
    id: clerkId('idn'),
    object: 'email_address' as const,
    email_address: address,
    reserved: false,
    verification: { status: 'verified' as const, strategy: 'email_code', attempts: null, expire_at: null },
    linked_to: [],
    created_at: createdAt,
    updated_at: createdAt,
  }));
  const phones = options.phone
    ? [
        {
          id: clerkId('idn'),
          object: 'phone_number' as const,
          phone_number: options.phone,
          reserved_for_second_factor: false,
          default_second_factor: false,
          reserved: false,
          verification: { status: 'verified' as const, strategy: 'phone_code' as const, attempts: 1, expire_at: createdAt + 600_000 },
          linked_to: [] as [],
          backup_codes: null,
          created_at: createdAt,
          updated_at: createdAt,
        },
      ]
    : [];
  const imageUrl = options.imageUrl ?? DEFAULT_IMAGE;
  return {
    id: options.id ?? clerkId('user'),
    object: 'user',
    username: options.username === undefined ? null : options.username,
    first_name: options.firstName === undefined ? 'Ada' : options.firstName,
    last_name: options.lastName === undefined ? 'Lovelace' : options.lastName,
    image_url: imageUrl,
    profile_image_url: imageUrl,
    has_image: options.imageUrl !== undefined,
    primary_email_address_id: addresses[0]?.id ?? null,
    primary_phone_number_id: phones[0]?.id ?? null,
    primary_web3_wallet_id: null,
    password_enabled: true,
    two_factor_enabled: false,
    totp_enabled: false,
    backup_code_enabled: false,
    email_addresses: addresses,
    phone_numbers: phones,
    web3_wallets: [],
    passkeys: [],
    external_accounts: [],
    saml_accounts: [],
    enterprise_accounts: [],
    public_metadata: options.publicMetadata ?? {},
    private_metadata: {},
    unsafe_metadata: options.unsafeMetadata ?? {},
    external_id: null,
    last_sign_in_at: options.lastSignInAt === undefined ? null : options.lastSignInAt,
    banned: false,
    locked: false,
    lockout_expires_in_seconds: null,
    verification_attempts_remaining: 100,
    created_at: createdAt,
    updated_at: updatedAt,
    delete_self_enabled: true,
    create_organization_enabled: true,
    last_active_at: null,
    legal_accepted_at: null,
  };
}

const HTTP_REQUEST = {
  client_ip: '203.0.113.7',
  user_agent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36',
};

function envelope<T extends string, D>(type: T, data: D, timestamp: number) {
  return {
    data,
    event_attributes: { http_request: HTTP_REQUEST },
    instance_id: 'ins_2abcTestInstance0000000000',
    object: 'event' as const,
    timestamp,
    type,
  };
}

export function userCreatedEvent(user: ClerkUserJsonFixture) {
  return envelope('user.created', user, user.updated_at);
}

export function userUpdatedEvent(user: ClerkUserJsonFixture) {
  return envelope('user.updated', user, user.updated_at);
}

/** Clerk's user.deleted carries only the id; `timestamp` is when it happened. */
export function userDeletedEvent(id: string, timestamp = Date.now()) {
  return envelope('user.deleted', { deleted: true, id, object: 'user' }, timestamp);
}

export type SessionEventType = 'session.created' | 'session.ended' | 'session.removed' | 'session.revoked';

const SESSION_STATUS: Record<SessionEventType, string> = {
  'session.created': 'active',
  'session.ended': 'ended',
  'session.removed': 'removed',
  'session.revoked': 'revoked',
};

export type SessionEventOptions = {
  userId: string;
  sessionId?: string;
  /** The event's time: `updated_at` and `last_active_at`. */
  at?: number;
  createdAt?: number;
  /** Clerk's defaults: expires 7 days, abandoned 30 days after it was created. */
  expireAt?: number;
  abandonAt?: number;
};

export function sessionEvent(type: SessionEventType, options: SessionEventOptions) {
  const at = options.at ?? Date.now();
  const createdAt = options.createdAt ?? at;
  return envelope(
    type,
    {
      abandon_at: options.abandonAt ?? createdAt + 30 * 24 * 3600_000,
      actor: null,
      client_id: 'client_2abcTestClient000000000000',
      created_at: createdAt,
      expire_at: options.expireAt ?? createdAt + 7 * 24 * 3600_000,
      id: options.sessionId ?? clerkId('sess'),
      last_active_at: at,
      object: 'session',
      status: SESSION_STATUS[type],
      updated_at: at,
      user_id: options.userId,
    },
    at,
  );
}

export type ClerkOrganizationJsonFixture = {
  object: 'organization';
  id: string;
  name: string;
  slug: string | null;
  image_url: string;
  logo_url: string | null;
  has_image: boolean;
  members_count: number;
  pending_invitations_count: number;
  max_allowed_memberships: number;
  admin_delete_enabled: boolean;
  public_metadata: Record<string, unknown>;
  private_metadata: Record<string, unknown>;
  created_by: string | null;
  created_at: number;
  updated_at: number;
};

export type ClerkOrganizationOptions = {
  id?: string;
  name?: string;
  slug?: string | null;
  imageUrl?: string;
  membersCount?: number;
  /** 0: no limit (Clerk's default on paid plans). */
  maxAllowedMemberships?: number;
  adminDeleteEnabled?: boolean;
  publicMetadata?: Record<string, unknown>;
  privateMetadata?: Record<string, unknown>;
  /** The creator's Clerk user id. */
  createdBy?: string | null;
  createdAt?: number;
  updatedAt?: number;
};

const DEFAULT_ORGANIZATION_IMAGE = 'https://img.clerk.com/eyJ0eXBlIjoiZGVmYXVsdCIsImlpZCI6Imluc18yYWJjIiwicmlkIjoib3JnXzJhYmMifQ';

/** An organization as Clerk serialises it (webhooks, the Backend API, and embedded in every membership). */
export function organizationPayload(options: ClerkOrganizationOptions = {}): ClerkOrganizationJsonFixture {
  const createdAt = options.createdAt ?? Date.now() - 60_000;
  const name = options.name ?? `Analytical Engines ${randomBytes(2).toString('hex')}`;
  return {
    object: 'organization',
    id: options.id ?? clerkId('org'),
    name,
    slug:
      options.slug === undefined
        ? name
            .toLowerCase()
            .replace(/[^a-z0-9]+/g, '-')
            .replace(/^-|-$/g, '')
        : options.slug,
    image_url: options.imageUrl ?? DEFAULT_ORGANIZATION_IMAGE,
    logo_url: null,
    has_image: options.imageUrl !== undefined,
    members_count: options.membersCount ?? 1,
    pending_invitations_count: 0,
    max_allowed_memberships: options.maxAllowedMemberships ?? 5,
    admin_delete_enabled: options.adminDeleteEnabled ?? true,
    public_metadata: options.publicMetadata ?? {},
    private_metadata: options.privateMetadata ?? {},
    created_by: options.createdBy === undefined ? clerkId('user') : options.createdBy,
    created_at: createdAt,
    updated_at: options.updatedAt ?? createdAt,
  };
}

export type ClerkMembershipJsonFixture = {
  object: 'organization_membership';
  id: string;
  role: string;
  role_name: string;
  permissions: string[];
  public_metadata: Record<string, unknown>;
  private_metadata: Record<string, unknown>;
  created_at: number;
  updated_at: number;
  organization: ClerkOrganizationJsonFixture;
  public_user_data: {
    user_id: string;
    identifier: string;
    first_name: string | null;
    last_name: string | null;
    image_url: string;
    profile_image_url: string;
    has_image: boolean;
  };
};

export type ClerkMembershipOptions = {
  /** The membership's own id (`orgmem_…`): a user who leaves and rejoins gets a new one. */
  id?: string;
  organization?: ClerkOrganizationJsonFixture;
  /** The member, whose public data Clerk embeds; or just their id. */
  user?: ClerkUserJsonFixture | string;
  /** Default `org:member`; `org:admin` brings Clerk's admin permissions. */
  role?: string;
  roleName?: string;
  permissions?: string[];
  publicMetadata?: Record<string, unknown>;
  createdAt?: number;
  updatedAt?: number;
};

const SYSTEM_PERMISSIONS: Record<string, string[]> = {
  'org:admin': [
    'org:sys_profile:manage',
    'org:sys_profile:delete',
    'org:sys_memberships:read',
    'org:sys_memberships:manage',
    'org:sys_domains:read',
    'org:sys_domains:manage',
  ],
  'org:member': ['org:sys_memberships:read'],
};

const ROLE_NAMES: Record<string, string> = { 'org:admin': 'Admin', 'org:member': 'Member' };

/** A membership as Clerk serialises it: the whole organization and the member's public data embedded. */
export function membershipPayload(options: ClerkMembershipOptions = {}): ClerkMembershipJsonFixture {
  const organization = options.organization ?? organizationPayload();
  const createdAt = options.createdAt ?? Math.max(organization.created_at, Date.now() - 30_000);
  const role = options.role ?? 'org:member';
  const user = typeof options.user === 'object' ? options.user : undefined;
  return {
    object: 'organization_membership',
    id: options.id ?? clerkId('orgmem'),
    role,
    role_name: options.roleName ?? ROLE_NAMES[role] ?? role,
    permissions: options.permissions ?? SYSTEM_PERMISSIONS[role] ?? [],
    public_metadata: options.publicMetadata ?? {},
    private_metadata: {},
    created_at: createdAt,
    updated_at: options.updatedAt ?? createdAt,
    organization,
    public_user_data: {
      user_id: user?.id ?? (typeof options.user === 'string' ? options.user : clerkId('user')),
      identifier: user?.email_addresses[0]?.email_address ?? 'ada.lovelace@example.com',
      first_name: user ? user.first_name : 'Ada',
      last_name: user ? user.last_name : 'Lovelace',
      image_url: user?.image_url ?? DEFAULT_IMAGE,
      profile_image_url: user?.image_url ?? DEFAULT_IMAGE,
      has_image: user?.has_image ?? false,
    },
  };
}

export function organizationCreatedEvent(organization: ClerkOrganizationJsonFixture) {
  return envelope('organization.created', organization, organization.updated_at);
}

export function organizationUpdatedEvent(organization: ClerkOrganizationJsonFixture) {
  return envelope('organization.updated', organization, organization.updated_at);
}

/** Clerk's organization.deleted carries only the id; `timestamp` is when it happened. */
export function organizationDeletedEvent(id: string, timestamp = Date.now()) {
  return envelope('organization.deleted', { deleted: true, id, object: 'organization' }, timestamp);
}

export function membershipCreatedEvent(membership: ClerkMembershipJsonFixture) {
  return envelope('organizationMembership.created', membership, membership.updated_at);
}

export function membershipUpdatedEvent(membership: ClerkMembershipJsonFixture) {
  return envelope('organizationMembership.updated', membership, membership.updated_at);
}

/** Clerk's organizationMembership.deleted carries the membership as it was; `timestamp` is when it ended. */
export function membershipDeletedEvent(membership: ClerkMembershipJsonFixture, timestamp = Date.now()) {
  return envelope('organizationMembership.deleted', membership, timestamp);
}
