/**
 * `clerk-mongo-sync sync` as a user runs it: a child process, configured only
 * through its environment, against the local double of Clerk's Backend API.
 * Exit codes and the one line that says what is wrong.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../../tools/db/local-db';
import { startClerkApiDouble, type ClerkApiDouble } from '../../../../tools/clerk/api-double';
import { runBin, type CliRun } from '../support/cli.js';

const SECRET_KEY = 'sk_test_syncCli000000000000000000000000';

let clerk: ClerkApiDouble;

beforeAll(async () => {
  clerk = await startClerkApiDouble({ secretKey: SECRET_KEY, generatedUsers: 30, generatedOrganizations: 3, membersPerOrganization: 5 });
});

afterAll(() => clerk.close());

function runCli(args: string[], env: Record<string, string>): Promise<CliRun> {
  return runBin(['sync', ...args], env);
}

const database = () => ({ MONGODB_URI: process.env.MONGODB_URI!, MONGODB_DB: process.env.MONGODB_DB! });

// Each run is a separate process (mostly start-up time): run them side by side.
describe.concurrent('clerk-mongo-sync sync (CLI)', () => {
  it('backfills users, then organizations and memberships, and prints the summary of each, exit 0', async () => {
    const run = await runCli(['backfill'], { ...database(), CLERK_SECRET_KEY: SECRET_KEY, CLERK_API_URL: clerk.url });
    expect(run.code).toBe(0);
    // Not a terminal: plain progress lines, and nothing else; users first, then organizations.
    const lines = run.stderr.trim().split('\n');
    expect(lines.some((line) => /^sync: 100 % 30\/30 users · /.test(line))).toBe(true);
    expect(lines.at(-1)).toMatch(/^sync: 100 % 3\/3 organizations · /);
    const progressLine = /^sync: \d+ % [\d,]+\/[\d,]+ (users|organizations) · [\d,]+ (users|organizations)\/s · ETA /;
    expect(lines.every((line) => progressLine.test(line))).toBe(true);
    expect(run.stdout).toMatch(/^backfill\n\s+users\s+organizations\s+memberships\n/);
    expect(run.stdout).toMatch(/created\s+30\s+3\s+15\n/);
    expect(run.stdout).toMatch(/30 users, 3 organizations, 15 memberships read/);
  });

  it('without CLERK_SECRET_KEY, exits 1 naming it, before touching anything', async () => {
    const run = await runCli(['backfill'], { ...database(), CLERK_API_URL: clerk.url });
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toMatch(/^sync: CLERK_SECRET_KEY is required/);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('with a key Clerk rejects (401), exits 1 saying so', async () => {
    const run = await runCli(['reconcile'], {
      ...database(),
      CLERK_SECRET_KEY: 'sk_test_wrongKey000000000000000000',
      CLERK_API_URL: clerk.url,
    });
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n').at(-1)).toBe('sync: CLERK_SECRET_KEY was rejected by Clerk (HTTP 401)');
  });

  it('with the database unreachable, exits 1 naming the host, not the credentials', async () => {
    const port = await freePort();
    const run = await runCli(['backfill'], {
      MONGODB_URI: `mongodb://admin:hunter2@127.0.0.1:${port}/app`,
      CLERK_SECRET_KEY: SECRET_KEY,
      CLERK_API_URL: clerk.url,
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      new RegExp(`^sync: the database at 127\\.0\\.0\\.1:${port} is unreachable or did not answer \\(MONGODB_URI\\)`, 'm'),
    );
    expect(run.stderr).not.toMatch(/hunter2/);
  });

  it('without MONGODB_URI or with an unknown command, exits non-zero with one line', async () => {
    const missing = await runCli(['backfill'], { CLERK_SECRET_KEY: SECRET_KEY });
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toMatch(/^sync: MONGODB_URI is required/);
    const unknown = await runCli(['import'], database());
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim()).toMatch(/^sync: usage: clerk-mongo-sync sync backfill\|reconcile/);
    const unknownFlag = await runCli(['backfill', '--everything'], database());
    expect(unknownFlag.code).toBe(2);
    expect(unknownFlag.stderr.trim()).toMatch(/^sync: usage: clerk-mongo-sync sync backfill\|reconcile/);
  });

  it('--help: the usage and each option, exit 0, without asking Clerk or the database', async () => {
    const help = await runCli(['--help'], {});
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toMatch(/^usage: clerk-mongo-sync sync backfill\|reconcile/);
    expect(help.stdout).toMatch(/^ {2}--dry-run\s+read everything/m);
    expect(help.stdout).toMatch(/^ {2}backfill\s+users, organizations and memberships/m);
    expect(help.stdout).toMatch(/ends the memberships it no longer lists/);
  });
});
