/**
 * `npm run bench:backfill`: `npm run sync -- backfill` as a user runs it (a
 * child process), against the embedded database and the local double of
 * Clerk's Backend API serving 100,000 and then 1,000,000 users, each into an
 * empty database. Prints elapsed time, users/s and the sync process's peak
 * RSS, and the 1M/100k memory ratio (backfill memory must not grow with the
 * number of users). Then a second run over the 100,000 (everything stored
 * already). Then organizations: 1,000 organizations × 20 members (20,000
 * memberships, of 20,000 users) in one run, its organizations phase
 * (memberships/s) against the same run's users phase (users/s), the baseline.
 * Targets are reported, not asserted.
 *
 * `-- --users 2000,5000`: other sizes (the last is compared with the first);
 * `-- --organizations 100x20` another organizations row, `none` to skip it.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { MongoClient } from 'mongodb';
import { startClerkApiDouble } from '../clerk/api-double';
import { startLocalDb, type LocalDb } from '../db/local-db';
import { describeMachine } from './machine';

const ROOT = path.resolve(__dirname, '..', '..');
const SECRET_KEY = 'sk_test_benchBackfill0000000000000000000';
/** 1,000,000 users within 5 minutes. */
const TARGET_USERS_PER_SECOND = 1_000_000 / 300;
/** Flat: at most this much more peak memory for ten times the users. */
const FLAT_MEMORY_RATIO = 1.5;
const RUN_CAP_MS = 15 * 60_000;

type SyncJson = {
  status: string;
  counts: Record<string, number>;
  organizations: Record<string, number>;
  memberships: Record<string, number>;
  usersRead: number;
  organizationsRead: number;
  membershipsRead: number;
  elapsedMs: number;
  organizationsElapsedMs: number;
  usersPerSecond: number;
  peakRssBytes: number;
};
type Measured = { label: string; users: number; wallMs: number; result: SyncJson; stored: number };

function runBackfill(env: Record<string, string>): Promise<SyncJson> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--conditions=react-server', '--import', 'tsx', 'tools/sync.ts', 'backfill', '--json'],
      { cwd: ROOT, env: { ...process.env, ...env }, timeout: RUN_CAP_MS, maxBuffer: 16 * 2 ** 20 },
      (error, stdout, stderr) => {
        const line = stdout.trim().split('\n').at(-1) ?? '';
        if (error) return reject(new Error(`sync exited ${error.code ?? error.signal}: ${stderr.trim().split('\n').at(-1) ?? ''}`));
        resolve(JSON.parse(line) as SyncJson);
      },
    );
  });
}

async function stored(database: LocalDb, name: string, collection = 'users'): Promise<number> {
  const client = new MongoClient(database.uri);
  try {
    return await client.db(name).collection(collection).countDocuments({ deletedAt: null });
  } finally {
    await client.close();
  }
}

async function measure(database: LocalDb, users: number, label: string, databaseName: string): Promise<Measured> {
  const clerk = await startClerkApiDouble({ secretKey: SECRET_KEY, generatedUsers: users });
  try {
    const started = Date.now();
    const result = await runBackfill({
      MONGODB_URI: database.uri,
      MONGODB_DB: databaseName,
      CLERK_SECRET_KEY: SECRET_KEY,
      CLERK_API_URL: clerk.url,
    });
    const wallMs = Date.now() - started;
    const measured = { label, users, wallMs, result, stored: await stored(database, databaseName) };
    console.log(row(measured));
    return measured;
  } finally {
    await clerk.close();
  }
}

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const count = (value: number) => value.toLocaleString('en-US');

function row({ label, users, wallMs, result, stored }: Measured): string {
  const { created, unchanged, updated, stale, failed } = result.counts as Record<string, number>;
  return [
    label.padEnd(26),
    `${count(users).padStart(7)} users`,
    `${(result.elapsedMs / 1000).toFixed(1).padStart(6)} s sync (${(wallMs / 1000).toFixed(1)} s with start-up)`,
    `${count(Math.round(result.usersPerSecond)).padStart(6)} users/s`,
    `peak RSS ${mib(result.peakRssBytes)}`,
    `created ${count(created ?? 0)}, unchanged ${count(unchanged ?? 0)}, updated ${count(updated ?? 0)}, stale ${count(stale ?? 0)}, failed ${count(failed ?? 0)}; stored ${count(stored)}`,
  ].join(' · ');
}

const perSecond = (read: number, ms: number) => (ms > 0 ? (read * 1000) / ms : 0);

/**
 * Organizations × members into an empty database: the users first (members
 * are generated users), then organizations and memberships; each phase's
 * rate from the same run, the users' the baseline.
 */
async function measureOrganizations(database: LocalDb, organizations: number, members: number): Promise<void> {
  const users = organizations * members;
  const clerk = await startClerkApiDouble({
    secretKey: SECRET_KEY,
    generatedUsers: users,
    generatedOrganizations: organizations,
    membersPerOrganization: members,
  });
  const databaseName = `bench_backfill_orgs_${organizations}x${members}`;
  try {
    const result = await runBackfill({
      MONGODB_URI: database.uri,
      MONGODB_DB: databaseName,
      CLERK_SECRET_KEY: SECRET_KEY,
      CLERK_API_URL: clerk.url,
    });
    const usersMs = result.elapsedMs - result.organizationsElapsedMs;
    const usersRate = perSecond(result.usersRead, usersMs);
    const membershipsRate = perSecond(result.membershipsRead, result.organizationsElapsedMs);
    const [storedOrganizations, storedMemberships] = [
      await stored(database, databaseName, 'organizations'),
      await stored(database, databaseName, 'memberships'),
    ];
    console.log(
      [
        `${'organizations, empty db'.padEnd(26)}`,
        `${count(organizations)} organizations × ${members} members (${count(result.membershipsRead)} memberships)`,
        `${(result.organizationsElapsedMs / 1000).toFixed(1)} s (users before them: ${count(users)} in ${(usersMs / 1000).toFixed(1)} s)`,
        `${count(Math.round(membershipsRate))} memberships/s vs ${count(Math.round(usersRate))} users/s: ×${(membershipsRate / usersRate).toFixed(2)}`,
        `peak RSS ${mib(result.peakRssBytes)}`,
        `created ${count(result.organizations.created ?? 0)} organizations, ${count(result.memberships.created ?? 0)} memberships; stored ${count(storedOrganizations)}, ${count(storedMemberships)}`,
      ].join(' · '),
    );
    if (storedOrganizations !== organizations || storedMemberships !== users)
      throw new Error('stored organizations or memberships do not match Clerk’s');
  } finally {
    await clerk.close();
  }
}

async function main() {
  const { values } = parseArgs({
    options: { users: { type: 'string', default: '100000,1000000' }, organizations: { type: 'string', default: '1000x20' } },
  });
  const sizes = values.users.split(',').map(Number);
  console.log(describeMachine().join('\n'));
  const dataDir = mkdtempSync(path.join(tmpdir(), 'clerk-mongo-sync-bench-backfill-'));
  const database = await startLocalDb({ dataDir });
  console.log(`database: ${database.description}\n`);
  try {
    const fresh: Measured[] = [];
    for (const users of sizes) fresh.push(await measure(database, users, 'backfill, empty database', `bench_backfill_${users}`));
    const smallest = fresh[0]!;
    const largest = fresh.at(-1)!;
    await measure(database, smallest.users, 'backfill again (all stored)', `bench_backfill_${smallest.users}`);

    const memoryRatio = largest.result.peakRssBytes / smallest.result.peakRssBytes;
    console.log(
      `\npeak RSS ${count(largest.users)} vs ${count(smallest.users)} users: ${mib(largest.result.peakRssBytes)} vs ${mib(smallest.result.peakRssBytes)}, ×${memoryRatio.toFixed(2)} for ×${largest.users / smallest.users} the users (target: flat, ≤ ×${FLAT_MEMORY_RATIO}: ${memoryRatio <= FLAT_MEMORY_RATIO ? 'met' : 'MISSED'})`,
    );
    const seconds = largest.result.elapsedMs / 1000;
    const target = largest.users / TARGET_USERS_PER_SECOND;
    console.log(
      `${count(largest.users)} users in ${seconds.toFixed(1)} s (target ≤ ${target.toFixed(0)} s, 1,000,000 in 5 minutes: ${seconds <= target ? 'met' : `MISSED by ${(seconds - target).toFixed(1)} s`})`,
    );
    const wrong = fresh.filter((run) => run.stored !== run.users || run.result.counts.created !== run.users);
    if (wrong.length > 0) throw new Error(`stored users do not match Clerk's: ${wrong.map(row).join('\n')}`);
    if (values.organizations !== 'none') {
      const [organizations = 0, members = 0] = values.organizations.split('x').map(Number);
      console.log('');
      await measureOrganizations(database, organizations, members);
    }
  } finally {
    await database.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
