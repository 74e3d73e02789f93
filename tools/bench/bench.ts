/**
 * `npm run bench`: throughput and latency of the webhook receiver on the
 * production build and the embedded database (a mongod on PATH if there is
 * one), against two yardsticks measured in the same run on the same server:
 *   (a) floor  — a route that only reads the body (no verification, no database);
 *   (b) ours   — POST /api/webhooks/clerk with fresh events;
 *   (c) naive  — the tutorials' handler: svix verify, findOne + insert/update,
 *                no index, no guard, under Clerk's middleware.
 * Then (b) with 1,000 versus 100,000 users already stored, and the time of
 * each pipeline step at both sizes. Targets are reported, not asserted.
 *
 * `-- --quick`: a small smoke run. `-- --cpu-prof`: also profile the server.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Db } from 'mongodb';
import { NAIVE_USERS_COLLECTION } from './routes';
import { COLLECTIONS } from '../../lib/db/indexes';
import { deliveriesCollection } from '../../lib/webhooks/ledger';
import { expectedDocument } from '../harness/expected-state';
import { generateHistories } from '../harness/histories';
import { seededRandom } from '../harness/random';
import { percentile, planDeliveries, sendDeliveries, type SendReport } from '../harness/sender';
import { clearCollections, startHarnessServer, type HarnessServer } from '../harness/server';
import { cpuSince, cpuTimes, describeMachine, type CpuTimes } from './machine';
import { measureSteps, pointAppClientAt, type StepTiming } from './steps';

const QUICK = process.argv.includes('--quick');
/** `--cpu-prof`: a V8 CPU profile of the server for the whole run, in tests/.artifacts/harness/cpu-prof. */
const CPU_PROFILE_DIR = process.argv.includes('--cpu-prof')
  ? path.resolve(__dirname, '..', '..', 'tests', '.artifacts', 'harness', 'cpu-prof')
  : undefined;
const SETTINGS = QUICK
  ? {
      connections: [10, 50],
      floorEvents: 500,
      events: 100,
      warmUpEvents: 30,
      storedUsers: [100, 2_000],
      scaleEvents: 40,
      scaleConnections: 10,
    }
  : {
      connections: [10, 50],
      floorEvents: 4_000,
      events: 1_500,
      warmUpEvents: 100,
      storedUsers: [1_000, 100_000],
      scaleEvents: 1_000,
      scaleConnections: 10,
    };
/** No phase may take longer, whatever the database does (the bench must stay under 10 minutes). */
const PHASE_CAP_MS = QUICK ? 20_000 : 45_000;
const SEED = Number(process.env.BENCH_SEED ?? 8_008);
const RESULTS_FILE = path.resolve(__dirname, '..', '..', 'tests', '.artifacts', 'harness', 'bench.json');

const ENDPOINTS = {
  a: { label: '(a) floor', path: '/api/webhooks/bench-floor' },
  b: { label: '(b) webhook', path: '/api/webhooks/clerk' },
  c: { label: '(c) naive', path: '/api/bench/naive-webhook' },
} as const;
type EndpointKey = keyof typeof ENDPOINTS;

const STATE_COLLECTIONS = [COLLECTIONS.users, COLLECTIONS.deliveries, NAIVE_USERS_COLLECTION];
/** Average events per generated history ([2, 6] events), to size the user population of a phase. */
const EVENTS_PER_USER = 4;

type Measurement = {
  label: string;
  connections: number;
  /** Requests answered (any status). */
  answered: number;
  delivered: number;
  perSecond: number;
  p50: number;
  p99: number;
  non2xx: number;
  unsent: number;
  statuses: Record<string, number>;
  outcomes: Record<string, number>;
  /** CPU ms the phase cost the load generator, the app server and the database server. */
  cpu: CpuTimes;
};

let seedOffset = 0;

/** Fresh users' histories, each user's events in order, users interleaved; exactly `events` deliveries. */
function freshDeliveries(events: number) {
  const rng = seededRandom(SEED + seedOffset++);
  const histories = generateHistories(rng, {
    users: Math.ceil(events / EVENTS_PER_USER) + 1,
    events: [2, 6],
    deleteChance: 0.1,
    idTag: `b${seedOffset}x`,
  });
  return planDeliveries(rng, histories, { order: 'in-order' }).slice(0, events);
}

function summarize(label: string, connections: number, report: SendReport, cpu: CpuTimes): Measurement {
  const non2xx = Object.entries(report.statuses).reduce((sum, [status, count]) => (status.startsWith('2') ? sum : sum + count), 0);
  return {
    label,
    connections,
    answered: report.attempts,
    delivered: report.delivered,
    perSecond: report.delivered / (report.wallMs / 1000),
    p50: percentile(report.latenciesMs, 50),
    p99: percentile(report.latenciesMs, 99),
    non2xx,
    unsent: report.unsent,
    statuses: report.statuses,
    outcomes: report.outcomes,
    cpu,
  };
}

async function run(
  server: HarnessServer,
  endpoint: EndpointKey,
  connections: number,
  events: number,
  label: string = ENDPOINTS[endpoint].label,
) {
  const cpuAtStart = cpuTimes();
  const report = await sendDeliveries(freshDeliveries(events), {
    url: `${server.origin}${ENDPOINTS[endpoint].path}`,
    secret: server.secret,
    concurrency: connections,
    stopAfterMs: PHASE_CAP_MS,
  });
  return summarize(label, connections, report, cpuSince(cpuAtStart));
}

const fixed = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : '—');

/** Per answered request: CPU ms of the load generator / app / database. */
function cpuPerEvent({ cpu, answered }: Measurement): string {
  const per = (ms: number) => fixed(ms / Math.max(1, answered), 2);
  return `${per(cpu.client)} / ${per(cpu.app)} / ${per(cpu.database)}`;
}

function row(m: Measurement): string {
  const notes = [m.non2xx ? `${m.non2xx} non-2xx ${JSON.stringify(m.statuses)}` : '', m.unsent ? `${m.unsent} unsent (phase cap)` : '']
    .filter(Boolean)
    .join('; ');
  return `${m.label.padEnd(24)} ${String(m.connections).padStart(5)} ${String(m.delivered).padStart(7)} ${fixed(m.perSecond).padStart(10)} ${fixed(m.p50).padStart(9)} ${fixed(m.p99).padStart(9)}  ${cpuPerEvent(m).padStart(20)}  ${notes}`;
}

const HEADER = `${'endpoint'.padEnd(24)} ${'conns'.padStart(5)} ${'events'.padStart(7)} ${'events/s'.padStart(10)} ${'p50 ms'.padStart(9)} ${'p99 ms'.padStart(9)}  ${'CPU ms/request: client / app / db'}`;

function verdict(value: number, target: number, atLeast: boolean): string {
  const met = atLeast ? value >= target : value <= target;
  return met ? 'met' : `MISSED by ${fixed(atLeast ? (1 - value / target) * 100 : (value / target - 1) * 100, 0)}%`;
}

/** The one-request checks that make the figures mean something: each route answers, and only (c) runs under the middleware. */
async function sanityCheck(server: HarnessServer): Promise<void> {
  for (const [key, endpoint] of Object.entries(ENDPOINTS)) {
    const [delivery] = freshDeliveries(1);
    const report = await sendDeliveries([delivery!], { url: `${server.origin}${endpoint.path}`, secret: server.secret, concurrency: 1 });
    if (report.delivered !== 1) throw new Error(`${endpoint.label} did not answer 2xx: ${JSON.stringify(report.statuses)}`);
    const response = await fetch(`${server.origin}${endpoint.path}`, { method: 'POST', body: '{}' });
    const underMiddleware = response.headers.has('x-clerk-auth-status');
    await response.arrayBuffer();
    if (underMiddleware !== (key === 'c'))
      throw new Error(`${endpoint.label}: Clerk middleware ${underMiddleware ? 'ran' : 'did not run'}`);
  }
}

/** Realistic stored users (the documents the webhook path writes), inserted in batches. Returns the one in the middle. */
async function seedUsers(db: Db, count: number): Promise<string> {
  const rng = seededRandom(SEED + count);
  const users = db.collection(COLLECTIONS.users);
  const now = new Date();
  let middleId = '';
  for (let start = 0; start < count; start += 1_000) {
    const histories = generateHistories(rng, { users: Math.min(1_000, count - start), events: [1, 3], deleteChance: 0, idTag: 'seed' });
    middleId = histories[Math.floor(count / 2) - start]?.userId ?? middleId;
    await users.insertMany(
      histories.map((history) => ({ ...expectedDocument(history), createdAt: now, updatedAt: now, isOnline: false, lastSeen: null })),
      { ordered: false },
    );
  }
  return middleId;
}

/** A ledger of `count` past deliveries, so ledger writes are timed against a realistic ledger, not an empty one. */
async function seedLedger(db: Db, count: number): Promise<void> {
  const receivedAt = new Date();
  const entries = Array.from({ length: count }, (_, i) => ({
    _id: `msg_2seedLedger${i}`,
    svixId: `msg_2seedLedger${i}`,
    type: 'user.updated',
    clerkId: `user_2seedLedger${i}`,
    outcome: 'applied' as const,
    status: 200,
    receivedAt,
    durationMs: 5,
    attempts: 1,
  }));
  for (let start = 0; start < count; start += 1_000) await deliveriesCollection(db).insertMany(entries.slice(start, start + 1_000));
}

function printSteps(stored: number, ledger: number, steps: StepTiming[]) {
  console.log(
    `  where a delivery's time goes (${stored.toLocaleString('en')} users stored, ${ledger.toLocaleString('en')} ledger entries):`,
  );
  for (const { step, ms, runs } of steps)
    console.log(`    ${step.padEnd(48)} ${ms < 1 ? `${fixed(ms * 1000, 0)} µs` : `${fixed(ms)} ms`}  (median of ${runs})`);
}

async function main() {
  const startedAt = Date.now();
  console.log(`npm run bench${QUICK ? ' --quick' : ''}`);
  describeMachine().forEach((line) => console.log(line));
  const server = await startHarnessServer({
    benchRoutes: true,
    name: 'bench',
    log: (line) => console.log(`▸ ${line}`),
    cpuProfileDir: CPU_PROFILE_DIR,
  });
  const stopOnSignal = () => void server.stop().finally(() => process.exit(130));
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);

  try {
    await sanityCheck(server);
    // Warm-up: JIT, connection pools, first compilation of each route. Not measured.
    for (const key of Object.keys(ENDPOINTS) as EndpointKey[])
      await run(server, key, 10, key === 'a' ? SETTINGS.floorEvents : SETTINGS.warmUpEvents);

    console.log(`\nEach phase starts from empty collections; fresh users' events, in order per user; no retries.\n${HEADER}`);
    const results: Record<string, Measurement> = {};
    for (const connections of SETTINGS.connections) {
      for (const key of Object.keys(ENDPOINTS) as EndpointKey[]) {
        await clearCollections(server.db, STATE_COLLECTIONS);
        const measured = await run(server, key, connections, key === 'a' ? SETTINGS.floorEvents : SETTINGS.events);
        results[`${key}@${connections}`] = measured;
        console.log(row(measured));
      }
    }

    console.log('\nTargets:');
    for (const connections of SETTINGS.connections) {
      const [a, b, c] = (['a', 'b', 'c'] as const).map((key) => results[`${key}@${connections}`]!.perSecond);
      console.log(
        `  ${connections} connections: (b)/(a) = ${fixed(b! / a!, 3)} (target ≥ 0.8: ${verdict(b! / a!, 0.8, true)}); (b)/(c) = ${fixed(b! / c!, 2)} (target ≥ 3: ${verdict(b! / c!, 3, true)})`,
      );
    }
    const p99 = results[`b@${Math.max(...SETTINGS.connections)}`]!.p99;
    console.log(
      `  (b) p99 at ${Math.max(...SETTINGS.connections)} connections = ${fixed(p99)} ms (target ≤ 100 ms: ${verdict(p99, 100, false)})`,
    );

    console.log(
      `\nScale: (b) at ${SETTINGS.scaleConnections} connections with users already stored (ledger empty at the start).\n${HEADER}`,
    );
    const scale: Measurement[] = [];
    const steps: Record<number, StepTiming[]> = {};
    const ledgerEntries = 1_000;
    pointAppClientAt({ uri: server.localDb.uri, name: server.db.databaseName });
    for (const stored of SETTINGS.storedUsers) {
      await clearCollections(server.db, STATE_COLLECTIONS);
      const seededAt = Date.now();
      const storedUserId = await seedUsers(server.db, stored);
      console.log(`  (seeded ${stored.toLocaleString('en')} users in ${fixed((Date.now() - seededAt) / 1000)} s)`);
      // Steps first: a database that cannot keep up leaves a backlog of writes behind a capped phase.
      await seedLedger(server.db, ledgerEntries);
      steps[stored] = await measureSteps(server.db, server.secret, storedUserId);
      await server.db.collection(COLLECTIONS.deliveries).deleteMany({});
      const measured = await run(server, 'b', SETTINGS.scaleConnections, SETTINGS.scaleEvents, `(b) ${stored.toLocaleString('en')} stored`);
      scale.push(measured);
      console.log(row(measured));
    }
    const [small, large] = scale;
    const ratio = large!.perSecond / small!.perSecond;
    console.log(
      `  ratio ${SETTINGS.storedUsers[1]!.toLocaleString('en')} / ${SETTINGS.storedUsers[0]!.toLocaleString('en')} stored = ${fixed(ratio, 3)} (target ≥ 0.9: ${verdict(ratio, 0.9, true)})\n`,
    );
    for (const stored of SETTINGS.storedUsers) printSteps(stored, ledgerEntries, steps[stored]!);

    mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
    writeFileSync(RESULTS_FILE, JSON.stringify({ machine: describeMachine(), quick: QUICK, results, scale, steps }, null, 2));
    if (CPU_PROFILE_DIR) console.log(`CPU profile of the server: ${path.relative(process.cwd(), CPU_PROFILE_DIR)} (written when it stops)`);
    console.log(`\nDone in ${fixed((Date.now() - startedAt) / 1000, 0)} s; figures in ${path.relative(process.cwd(), RESULTS_FILE)}`);
  } finally {
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
});
