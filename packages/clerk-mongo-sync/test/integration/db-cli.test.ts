/**
 * `clerk-mongo-sync db` as a newcomer runs it: a child process, configured
 * only through its environment, reading users, their sessions and the
 * delivery ledger that real webhook deliveries wrote to the test database;
 * and, wrapped by an app's script (`runCli`), the app's own records of a user.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli as runInProcess } from '../../src/cli/index.js';
import { clerkUser, sessionEvent, userCreatedEvent } from '../../src/testing/payloads.js';
import { freePort } from '../../../../tools/db/local-db';
import { runBin, type CliRun } from '../support/cli.js';
import { client, clerkSync, database as testDatabase } from '../support/engine.js';
import { deliver } from '../support/webhook.js';

function runCli(args: string[], env: Record<string, string> = database()): Promise<CliRun> {
  return runBin(['db', ...args], env);
}

/** The same command as an app's script runs it: in process, with the app's own records of a user linked. */
async function runWrapped(args: string[]): Promise<CliRun> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await runInProcess(['db', ...args], {
    env: database(),
    out: (line) => stdout.push(line),
    err: (line) => stderr.push(line),
    linked: [{ collection: 'assessments', field: 'clerkUserId' }],
  });
  return { code, stdout: stdout.map((line) => `${line}\n`).join(''), stderr: stderr.map((line) => `${line}\n`).join('') };
}

const database = () => ({ MONGODB_URI: process.env.MONGODB_URI!, MONGODB_DB: process.env.MONGODB_DB! });

const now = Date.now();
// Metadata keys MongoDB cannot store as they are: the app stores them encoded and shows them decoded.
const older = clerkUser({
  firstName: 'Ada',
  lastName: 'Lovelace',
  createdAt: now - 3_600_000,
  publicMetadata: { 'plan.tier': 'pro', $role: 'admin' },
});
const newer = clerkUser({ firstName: 'Grace', lastName: 'Hopper', createdAt: now - 60_000 });
const sessionId = 'sess_2dbCliSession00000000000000';

beforeAll(async () => {
  for (const event of [
    userCreatedEvent(older),
    userCreatedEvent(newer),
    sessionEvent('session.created', { userId: newer.id, sessionId }),
  ]) {
    expect((await deliver(event)).status).toBe(200);
  }
  const stored = await clerkSync.users.find(newer.id);
  // A record of the app's own, linked to the user by its Clerk id.
  await testDatabase()
    .collection('assessments')
    .insertOne({
      userId: stored!._id,
      clerkUserId: newer.id,
      slug: 'mongodb-basics',
      title: 'MongoDB basics',
      answers: [{ questionId: 'q1', choiceId: 'a', correctChoiceId: 'a' }],
      score: 1,
      maxScore: 1,
      createdAt: new Date(now),
      anonymizedAt: null,
    });
});

afterAll(() => client.close());

function json<T>(run: CliRun): T {
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as T;
}

type UserJson = { clerkId: string; email: string; publicMetadata: Record<string, unknown> };

// Each run is a separate process (mostly start-up time): run them side by side.
describe.concurrent('clerk-mongo-sync db (CLI)', () => {
  it('users --json: every user, newest first, metadata keys decoded as the app shows them', async () => {
    const users = json<UserJson[]>(await runCli(['users', '--json']));
    expect(users.map((user) => user.clerkId)).toEqual([newer.id, older.id]);
    expect(users[1]!.publicMetadata).toEqual({ 'plan.tier': 'pro', $role: 'admin' });
    expect(users[0]!.email).toBe(newer.email_addresses[0]!.email_address);
  });

  it('users: a table, newest first, then the database and host it read', async () => {
    const run = await runCli(['users']);
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^CLERK ID\s+EMAIL\s+NAME\s+STATE\s+PUBLIC METADATA\s+CREATED IN CLERK\s+LAST SEEN$/);
    expect(lines[1]).toMatch(new RegExp(`^${newer.id}\\s+\\S+@example\\.com\\s+Grace Hopper\\s+online\\s+—\\s`));
    // Decoded, key=value, as set with `clerk-mongo-sync send user.updated --role admin`.
    expect(lines[2]).toMatch(
      new RegExp(`^${older.id}\\s+\\S+@example\\.com\\s+Ada Lovelace\\s+offline\\s+plan\\.tier=pro, \\$role=admin\\s`),
    );
    expect(lines.at(-1)).toBe(`2 user(s) in database "${process.env.MONGODB_DB}" at ${new URL(process.env.MONGODB_URI!).host}`);
  });

  it('users --limit 1: only the newest', async () => {
    expect(json<UserJson[]>(await runCli(['users', '--limit', '1', '--json'])).map((user) => user.clerkId)).toEqual([newer.id]);
  });

  it('user <clerkId> --json: the user with their sessions', async () => {
    const found = json<{ user: UserJson; sessions: Array<{ sessionId: string; status: string }> }>(
      await runCli(['user', newer.id, '--json']),
    );
    expect(found.user.clerkId).toBe(newer.id);
    expect(found.sessions).toMatchObject([{ sessionId, status: 'active' }]);
    expect(Object.keys(found)).toEqual(['user', 'sessions']);
  });

  it('user <clerkId>, wrapped by an app that links its own records: those too, by collection', async () => {
    const found = json<{ assessments: Array<{ slug: string; score: number }> }>(await runWrapped(['user', newer.id, '--json']));
    expect(found.assessments).toMatchObject([{ slug: 'mongodb-basics', score: 1 }]);
    const table = await runWrapped(['user', newer.id]);
    expect(table.stdout).toMatch(/^assessments \(1\):\nID\s+USERID\s+SLUG\s+TITLE\s+SCORE\s+MAXSCORE\s+CREATEDAT\s+ANONYMIZEDAT$/m);
    expect(table.stdout).toMatch(/\smongodb-basics\s+MongoDB basics\s+1\s+1\s/);
    expect((await runWrapped(['user', older.id])).stdout).toMatch(/^assessments: none$/m);
  });

  it('user <clerkId>: every field, then the sessions as a table', async () => {
    const run = await runCli(['user', older.id]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^_id\s+[0-9a-f]{24}$/m);
    expect(run.stdout).toMatch(new RegExp(`^clerkId\\s+${older.id}$`, 'm'));
    expect(run.stdout).toMatch(/^publicMetadata\s+\{"plan\.tier":"pro","\$role":"admin"\}$/m);
    expect(run.stdout).toMatch(/^sessions: none$/m);
  });

  it('user with an unknown id: exit 1 with one line', async () => {
    const run = await runCli(['user', 'user_2nobodyHere000000000000000']);
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe(
      `db: no user with clerkId user_2nobodyHere000000000000000 in database "${process.env.MONGODB_DB}" at ${new URL(process.env.MONGODB_URI!).host}`,
    );
    expect(run.stdout).toBe('');
  });

  it('deliveries: the latest ledger entries first, --limit honoured, as JSON or a table', async () => {
    const entries = json<Array<{ type: string; clerkId: string; outcome: string; status: number }>>(await runCli(['deliveries', '--json']));
    expect(entries.map((entry) => entry.type)).toEqual(['session.created', 'user.created', 'user.created']);
    expect(entries[0]).toMatchObject({ clerkId: newer.id, status: 200 });
    expect(json<unknown[]>(await runCli(['deliveries', '--limit', '2', '--json']))).toHaveLength(2);
    const table = await runCli(['deliveries']);
    expect(table.stdout).toMatch(/^RECEIVED\s+TYPE\s+CLERK ID\s+OUTCOME\s+STATUS\s+ATTEMPTS\s+MS\s+SVIX ID$/m);
    expect(table.stdout).toMatch(new RegExp(`\\ssession\\.created\\s+${newer.id}\\s`));
  });

  it('with the database unreachable: exit 1 with one line naming the host, not the credentials', async () => {
    const port = await freePort();
    const run = await runCli(['users'], { MONGODB_URI: `mongodb://admin:hunter2@127.0.0.1:${port}/app` });
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe(`db: cannot reach the database at 127.0.0.1:${port} within 2 s (check MONGODB_URI)`);
    expect(run.stderr + run.stdout).not.toMatch(/hunter2/);
  });

  it('with a malformed MONGODB_URI or an unknown command: one line, exit 1 or 2', async () => {
    const malformed = await runCli(['users'], { MONGODB_URI: 'postgres://admin:hunter2@db.example.com/app' });
    expect(malformed.code).toBe(1);
    expect(malformed.stderr.trim()).toBe(
      'db: MONGODB_URI must start with mongodb:// or mongodb+srv:// (set in your environment or .env.local)',
    );
    const unknown = await runCli(['sessions']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim()).toBe(
      'db: usage: clerk-mongo-sync db users | user <clerkId> | organizations | organization <clerkOrgId> | deliveries | indexes [--limit N] [--json]',
    );
  });

  it('indexes: makes the engine’s indexes in a database that has none yet, and says so; again, that they are there', async () => {
    const fresh = { ...database(), MONGODB_DB: `${process.env.MONGODB_DB}_indexes` };
    const made = json<{ created: string[] }>(await runCli(['indexes', '--json'], fresh));
    expect(made.created).toEqual(
      expect.arrayContaining(['users.clerkId_unique', 'webhook_deliveries.receivedAt_ttl', 'sessions.clerkId_sessionId_unique']),
    );
    expect((await runCli(['indexes'], fresh)).stdout).toMatch(/^every index the engine needs is there in database/);
  });

  it('--help: the usage and what each command shows, exit 0, without touching the database', async () => {
    const help = await runCli(['--help'], { MONGODB_URI: 'mongodb://127.0.0.1:1/unreachable' });
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toMatch(
      /^usage: clerk-mongo-sync db users \| user <clerkId> \| organizations \| organization <clerkOrgId> \| deliveries/,
    );
    expect(help.stdout).toMatch(/^ {2}--json\s+machine-readable output/m);
  });
});
