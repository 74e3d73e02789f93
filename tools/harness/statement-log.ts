/**
 * What a mongod did with each statement of the update commands on one
 * collection, read back from the server's own log: the proof, from the server
 * rather than the client, of which statements shared a command and what each
 * did. MongoDB 4.4.2+ logs every operation a profiling filter matches, one
 * JSON line per statement of a write command (its filter, upsert flag, counts
 * and error) and then one for the command itself, all on the connection's
 * own thread (`ctx`). A connection runs one command at a time, so the
 * statement lines of a connection up to its command line are that command's.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import type { Document } from 'mongodb';
import type { ReplicaSetMember } from './replica-set';

export type LoggedStatement = {
  /** The statement's filter (`q`). */
  filter: Document;
  /** Sent as an upsert. */
  upsert: boolean;
  /** The server's error code when it refused the statement (11000: a unique index refused the insert). */
  errorCode?: number;
  /** Documents the statement changed (an update of a stored document). */
  modified: number;
  /** The statement inserted a document (an upsert whose filter matched none). */
  inserted: boolean;
};

/** One update command: its statements in the order the server ran them. */
export type LoggedCommand = { connection: string; statements: LoggedStatement[] };

/**
 * Has `member` log every update on `collection` of `database` and every update
 * command on it (the member's own setting, not replicated); resolves to what
 * puts its logging back as it was.
 */
export async function logUpdates(member: ReplicaSetMember, database: string, collection: string): Promise<() => Promise<void>> {
  const filter = {
    $or: [
      { op: 'update', ns: `${database}.${collection}` },
      { op: 'command', 'command.update': collection },
    ],
  };
  await member.command({ profile: 0, filter }, { database });
  return async () => {
    await member.command({ profile: 0, filter: 'unset' }, { database });
  };
}

/** The log's size now: read from here on to see only what follows. */
export function logOffset(logFile: string): number {
  return statSync(logFile).size;
}

type SlowQuery = { ctx: string; msg: string; attr?: { type?: string; ns?: string; command?: Document } & Document };

function parse(line: string): SlowQuery | undefined {
  try {
    const entry = JSON.parse(line) as SlowQuery;
    return entry.msg === 'Slow query' ? entry : undefined;
  } catch {
    return undefined;
  }
}

/** The complete lines written since `offset`. */
function linesSince(logFile: string, offset: number): string[] {
  const size = statSync(logFile).size;
  const buffer = Buffer.alloc(Math.max(0, size - offset));
  const fd = openSync(logFile, 'r');
  try {
    readSync(fd, buffer, 0, buffer.length, offset);
  } finally {
    closeSync(fd);
  }
  const text = buffer.toString('utf8');
  return text.slice(0, text.lastIndexOf('\n') + 1).split('\n');
}

/** The update commands on `database`.`collection` that `logUpdates` had logged since `offset`, each with its statements. */
export function readUpdateCommands(logFile: string, database: string, collection: string, offset = 0): LoggedCommand[] {
  const pending = new Map<string, LoggedStatement[]>();
  const commands: LoggedCommand[] = [];
  for (const entry of linesSince(logFile, offset).map(parse)) {
    const attr = entry?.attr;
    if (!entry || !attr?.command) continue;
    if (attr.type === 'update' && attr.ns === `${database}.${collection}`) {
      const statements = pending.get(entry.ctx) ?? [];
      statements.push({
        filter: attr.command.q as Document,
        upsert: attr.command.upsert === true,
        errorCode: typeof attr.errCode === 'number' ? attr.errCode : undefined,
        modified: Number(attr.nModified ?? 0),
        inserted: attr.upsert === true,
      });
      pending.set(entry.ctx, statements);
    } else if (attr.type === 'command' && attr.ns === `${database}.$cmd` && attr.command.update === collection) {
      commands.push({ connection: entry.ctx, statements: pending.get(entry.ctx) ?? [] });
      pending.delete(entry.ctx);
    }
  }
  return commands;
}
