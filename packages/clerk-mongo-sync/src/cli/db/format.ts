/** `db` for a person: aligned tables and key/value blocks; `--json` output bypasses this. */
import type { Document } from 'mongodb';
import type { DeliveryRecord } from '../../webhooks/delivery-record.js';
import type { Link, OrganizationView, SessionView, UserView, UserWithRecords } from './read.js';

type Cell = string | number | null | undefined;

/** Columns padded to their widest cell; empty cells print as "—". */
function table(headers: readonly string[], rows: readonly Cell[][]): string {
  const text = rows.map((row) => row.map((cell) => (cell === null || cell === undefined || cell === '' ? '—' : String(cell))));
  const widths = headers.map((header, column) => Math.max(header.length, ...text.map((row) => row[column]!.length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join('  ')
      .trimEnd();
  return [line(headers), ...text.map(line)].join('\n');
}

function when(value: unknown): string | null {
  return value instanceof Date ? value.toISOString().replace(/\.\d{3}Z$/, 'Z') : null;
}

function nameOf(user: UserView): string | null {
  const name = [user.firstName, user.lastName].filter((part) => typeof part === 'string' && part).join(' ');
  return name || (typeof user.username === 'string' ? user.username : null);
}

/** One word for what the document is: a synced profile (online or not), a tombstone, or presence only. */
function stateOf(user: UserView): string {
  if (user.unreadable) return 'unreadable';
  if (user.deletedAt) return 'deleted';
  if (user.version === 0) return 'presence only';
  return user.isOnline ? 'online' : 'offline';
}

const METADATA_WIDTH = 32;

/** Public metadata at a glance (`role=admin, plan={"tier":"pro"}`), cut at 32 characters; `user <id>` shows it whole. */
export function metadataSummary(metadata: unknown): string | null {
  if (!metadata || typeof metadata !== 'object' || Array.isArray(metadata)) return null;
  const text = Object.entries(metadata)
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(', ');
  return text.length > METADATA_WIDTH ? `${text.slice(0, METADATA_WIDTH - 1)}…` : text || null;
}

export function usersTable(users: readonly UserView[], sendCommand: string): string {
  if (users.length === 0) return `no users yet (sign up in the app, or: ${sendCommand} user.created)`;
  return table(
    ['CLERK ID', 'EMAIL', 'NAME', 'STATE', 'PUBLIC METADATA', 'CREATED IN CLERK', 'LAST SEEN'],
    users.map((user) => [
      String(user.clerkId),
      user.email as Cell,
      nameOf(user),
      stateOf(user),
      metadataSummary(user.publicMetadata),
      when(user.clerkCreatedAt),
      when(user.lastSeen),
    ]),
  );
}

function isObjectId(value: unknown): value is { toHexString(): string } {
  return typeof value === 'object' && value !== null && (value as { _bsontype?: unknown })._bsontype === 'ObjectId';
}

function fieldValue(value: unknown): string {
  if (value instanceof Date) return when(value)!;
  if (isObjectId(value)) return value.toHexString();
  if (value === null || value === undefined) return '—';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** Every field of the user's document, metadata decoded, then the app's records linked to it, then its sessions. */
export function userDetails({ user, linked, sessions }: UserWithRecords): string {
  const fields = Object.entries(user).filter(([key]) => key !== 'unreadable');
  const width = Math.max(...fields.map(([key]) => key.length));
  const lines = fields.map(([key, value]) => `${key.padEnd(width)}  ${fieldValue(value)}`);
  if (user.unreadable) lines.unshift(`(the engine's schema refuses this document: ${user.unreadable})`);
  const blocks = linked.map(({ link, records }) => linkedBlock(link, records));
  return [lines.join('\n'), ...blocks, sessionsBlock(sessions)].join('\n\n');
}

function isScalar(value: unknown): boolean {
  return value === null || value instanceof Date || isObjectId(value) || ['string', 'number', 'boolean'].includes(typeof value);
}

/** Records of any shape: a column per top-level field that holds a single value (not the link itself, nor lists or objects). */
function linkedBlock({ collection, field }: Link, records: readonly Document[]): string {
  if (records.length === 0) return `${collection}: none`;
  const columns = [...new Set(records.flatMap((record) => Object.keys(record)))].filter(
    (key) => key !== field && records.every((record) => record[key] === undefined || isScalar(record[key])),
  );
  const rows = records.map((record) => columns.map((key) => (record[key] === undefined ? null : fieldValue(record[key]))));
  return `${collection} (${records.length}):\n${table(
    columns.map((key) => (key === '_id' ? 'ID' : key.toUpperCase())),
    rows,
  )}`;
}

function sessionsBlock(sessions: readonly SessionView[]): string {
  if (sessions.length === 0) return 'sessions: none';
  const rows = sessions.map((session) => [
    session.sessionId as Cell,
    session.status as Cell,
    when(session.expireAt),
    when(session.updatedAt),
  ]);
  return `sessions (${sessions.length}):\n${table(['SESSION ID', 'STATUS', 'EXPIRES', 'UPDATED'], rows)}`;
}

export function deliveriesTable(deliveries: readonly DeliveryRecord[]): string {
  if (deliveries.length === 0) return 'no deliveries yet (the ledger records every webhook delivery the app answers)';
  return table(
    ['RECEIVED', 'TYPE', 'CLERK ID', 'OUTCOME', 'STATUS', 'ATTEMPTS', 'MS', 'SVIX ID'],
    deliveries.map((entry) => [
      when(entry.receivedAt),
      entry.type,
      entry.clerkId,
      entry.outcome,
      entry.status,
      entry.attempts,
      entry.durationMs,
      entry.svixId,
    ]),
  );
}

export function organizationsTable(organizations: readonly OrganizationView[]): string {
  if (organizations.length === 0) return 'no organizations yet';
  return table(
    ['CLERK ORG ID', 'NAME', 'SLUG', 'STATE', 'ACTIVE MEMBERS', 'PUBLIC METADATA', 'CREATED IN CLERK'],
    organizations.map((organization) => [
      String(organization.clerkOrgId),
      organization.name as Cell,
      organization.slug as Cell,
      organization.deletedAt ? 'deleted' : 'live',
      organization.activeMembers,
      metadataSummary(organization.publicMetadata),
      when(organization.clerkCreatedAt),
    ]),
  );
}

/** Every field of the organization, then its memberships (who, role, since, ended). */
export function organizationDetails({ organization, memberships }: { organization: Document; memberships: readonly Document[] }): string {
  const width = Math.max(...Object.keys(organization).map((key) => key.length));
  const lines = Object.entries(organization).map(([key, value]) => `${key.padEnd(width)}  ${fieldValue(value)}`);
  const members =
    memberships.length === 0
      ? 'memberships: none'
      : `memberships (${memberships.length}):\n${table(
          ['CLERK USER ID', 'ROLE', 'SINCE', 'ENDED'],
          memberships.map((membership) => [
            String(membership.clerkUserId),
            membership.role as Cell,
            when(membership.clerkCreatedAt),
            when(membership.deletedAt),
          ]),
        )}`;
  return [lines.join('\n'), members].join('\n\n');
}
