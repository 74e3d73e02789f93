/** `npm run db` for a person: aligned tables and key/value blocks; `--json` output bypasses this. */
import { ObjectId } from 'mongodb';
import type { AssessmentRecord } from '../../lib/assessments/schema';
import type { DeliveryRecord } from '../../lib/webhooks/ledger';
import type { SessionView, UserView, UserWithRecords } from './read';

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

export function usersTable(users: readonly UserView[]): string {
  if (users.length === 0) return 'no users yet (sign up in the app, or: npm run webhook -- send user.created)';
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

function fieldValue(value: unknown): string {
  if (value instanceof Date) return when(value)!;
  if (value instanceof ObjectId) return value.toHexString();
  if (value === null || value === undefined) return '—';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** Every field of the user's document, metadata decoded, then its assessments and sessions. */
export function userDetails({ user, assessments, sessions }: UserWithRecords): string {
  const fields = Object.entries(user).filter(([key]) => key !== 'unreadable');
  const width = Math.max(...fields.map(([key]) => key.length));
  const lines = fields.map(([key, value]) => `${key.padEnd(width)}  ${fieldValue(value)}`);
  if (user.unreadable) lines.unshift(`(the app's schema refuses this document: ${user.unreadable})`);
  return [lines.join('\n'), assessmentsBlock(assessments), sessionsBlock(sessions)].join('\n\n');
}

function assessmentsBlock(assessments: readonly AssessmentRecord[]): string {
  if (assessments.length === 0) return 'assessments: none';
  const rows = assessments.map((record) => [
    record._id.toHexString(),
    record.slug,
    `${record.score}/${record.maxScore}`,
    when(record.createdAt),
  ]);
  return `assessments (${assessments.length}):\n${table(['ID', 'ASSESSMENT', 'SCORE', 'TAKEN'], rows)}`;
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
