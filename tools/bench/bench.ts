/**
 * `npm run bench`: throughput and latency of the webhook receiver on the
 * production build and the embedded database (a mongod on PATH if there is
 * one), against yardsticks measured in the same run on the same server:
 *   (a)  floor      — a route that only reads the body (no verification, no database);
 *   (b)  ours       — POST /api/webhooks/clerk with fresh events;
 *   (c′) seed-style — the origin guides' handler as written with mongoose: svix verify,
 *                     indexed findOne, then insert or update; no guard, no ledger;
 *   (c)  naive      — the tutorials' handler: the same without the index, under Clerk's middleware.
 * Then a burst of user.created at hundreds of connections, (b) with 1,000
 * versus 1,000,000 users already stored, and the time of each pipeline step at
 * both sizes. Targets are reported, not asserted.
 *
 * `-- --quick`: a small smoke run. `-- --no-scale`: without the scale section. `-- --cpu-prof`: instead of the figures,
 * profile the app server during (a), (b) and (c′) alone and print where its
 * CPU goes per request (profiles in tests/.artifacts/harness/cpu-prof).
 * `-- --sharded`: instead, (b) through a sharded cluster's mongos (two
 * single-member shards, tools/harness/sharded-cluster.ts) beside (b) on the
 * embedded single-node replica set, in interleaved rounds of one run.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Collection, Db, Document } from 'mongodb';
import { NAIVE_USERS_COLLECTION, SEED_STYLE_USERS_COLLECTION } from './routes';
import { DEFAULT_COLLECTIONS as COLLECTIONS, type StoredDeliveryRecord } from 'clerk-mongo-sync';
import { expectedDocument } from '../harness/expected-state';
import { generateHistories, type UserHistory } from '../harness/histories';
import { seededRandom } from '../harness/random';
import { percentile, planDeliveries, sendDeliveries, SVIX_TIMEOUT_MS, type Delivery, type SendReport } from '../harness/sender';
import { clearCollections, startHarnessServer, type HarnessServer, type ShardedHarnessServer } from '../harness/server';
import { cpuSince, cpuTimes, describeMachine, type CpuTimes } from './machine';
import { summarizeProfile, type ProfileBreakdown } from './profile';
import { closeAppClient, measureSteps, pointAppClientAt, type StepTiming } from './steps';

const QUICK = process.argv.includes('--quick');
/** `--no-scale`: skip the scale section (seeding a million users takes minutes). */
const SCALE = !process.argv.includes('--no-scale');
/** `--cpu-prof`: profile (a), (b) and (c′) alone instead of measuring. */
const PROFILE = process.argv.includes('--cpu-prof');
/** `--sharded`: (b) through a mongos beside (b) on a replica set, instead of the figures. */
const SHARDED = process.argv.includes('--sharded');
const ARTIFACTS = path.resolve(__dirname, '..', '..', 'tests', '.artifacts', 'harness');
const CPU_PROFILE_DIR = path.join(ARTIFACTS, 'cpu-prof');
const RESULTS_FILE = path.join(ARTIFACTS, PROFILE ? 'bench-profile.json' : SHARDED ? 'bench-sharded.json' : 'bench.json');
const SETTINGS = QUICK
  ? {
      connections: [10, 50],
      floorEvents: 500,
      events: 100,
      warmUpEvents: 30,
      rounds: 1,
      burst: { events: 300, connections: [50, 100] },
      naiveStoredUsers: 10_000,
      naiveEvents: 50,
      storedUsers: [100, 2_000],
      scaleEvents: 40,
      scaleConnections: 10,
      profileEvents: 200,
    }
  : {
      connections: [10, 50],
      floorEvents: 4_000,
      events: 1_500,
      warmUpEvents: 100,
      rounds: 3,
      burst: { events: 3_000, connections: [200, 500] },
      naiveStoredUsers: 100_000,
      naiveEvents: 300,
      storedUsers: [1_000, 1_000_000],
      scaleEvents: 1_000,
      scaleConnections: 10,
      profileEvents: 1_500,
    };
/** No phase may take longer, whatever the database does (the bench must stay under 15 minutes). */
const PHASE_CAP_MS = QUICK ? 20_000 : 45_000;
const SEED = Number(process.env.BENCH_SEED ?? 8_008);
/** The app's CPU per delivery may exceed the floor's by this much (ms): verify, parse, two durable writes. */
const APP_CPU_ALLOWANCE_MS = 0.6;

const ENDPOINTS = {
  a: { label: '(a) floor', path: '/api/webhooks/bench-floor' },
  b: { label: '(b) webhook', path: '/api/webhooks/clerk' },
  seed: { label: '(c′) seed-style, indexed', path: '/api/webhooks/bench-seed-style' },
  c: { label: '(c) naive, no index', path: '/api/bench/naive-webhook' },
} as const;
type EndpointKey = keyof typeof ENDPOINTS;
const ENDPOINT_KEYS = Object.keys(ENDPOINTS) as EndpointKey[];

const STATE_COLLECTIONS = [COLLECTIONS.users, COLLECTIONS.deliveries, NAIVE_USERS_COLLECTION, SEED_STYLE_USERS_COLLECTION];
/** Emptied before each endpoint phase; (c)'s users stay, as in production, so its missing index shows. */
const PHASE_COLLECTIONS = STATE_COLLECTIONS.filter((name) => name !== NAIVE_USERS_COLLECTION);
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
  slowest: number;
  non2xx: number;
  unsent: number;
  statuses: Record<string, number>;
  outcomes: Record<string, number>;
  /** CPU ms per answered request, of the load generator, the app server and the database server. */
  cpuPerRequest: CpuTimes;
  /** Database commands (reads and writes) per answered request: what group commit saves. */
  commandsPerRequest: number;
  /** How many interleaved rounds the figures are the median of. */
  rounds: number;
};

let seedOffset = 0;

/** Fresh users' histories, each user's events in order, users interleaved; exactly `events` deliveries. */
function freshDeliveries(events: number): Delivery[] {
  const rng = seededRandom(SEED + seedOffset++);
  const histories = generateHistories(rng, {
    users: Math.ceil(events / EVENTS_PER_USER) + 1,
    events: [2, 6],
    deleteChance: 0.1,
    idTag: `b${seedOffset}x`,
  });
  return planDeliveries(rng, histories, { order: 'in-order' }).slice(0, events);
}

/** One user.created for each of `users` new users: a launch day, or a bulk import at Clerk. */
function signUpBurst(users: number): Delivery[] {
  const rng = seededRandom(SEED + seedOffset++);
  const histories = generateHistories(rng, { users, events: 1, deleteChance: 0, idTag: `s${seedOffset}x` });
  return planDeliveries(rng, histories, { order: 'in-order' });
}

function summarize(label: string, connections: number, report: SendReport, cpu: CpuTimes, commands: number): Measurement {
  const non2xx = Object.entries(report.statuses).reduce((sum, [status, count]) => (status.startsWith('2') ? sum : sum + count), 0);
  return {
    label,
    connections,
    answered: report.attempts,
    delivered: report.delivered,
    perSecond: report.delivered / (report.wallMs / 1000),
    p50: percentile(report.latenciesMs, 50),
    p99: percentile(report.latenciesMs, 99),
    slowest: percentile(report.latenciesMs, 100),
    non2xx,
    unsent: report.unsent,
    statuses: report.statuses,
    outcomes: report.outcomes,
    cpuPerRequest: {
      client: cpu.client / Math.max(1, report.attempts),
      app: cpu.app / Math.max(1, report.attempts),
      database: cpu.database / Math.max(1, report.attempts),
    },
    commandsPerRequest: commands / Math.max(1, report.attempts),
    rounds: 1,
  };
}

const median = (values: number[]) => [...values].sort((x, y) => x - y)[Math.floor((values.length - 1) / 2)]!;

/** Rounds of one phase as one row: the median of each figure, the worst latency, every non-2xx. */
function combineRounds(rounds: Measurement[]): Measurement {
  const of = (pick: (m: Measurement) => number) => median(rounds.map(pick));
  const statuses: Record<string, number> = {};
  for (const m of rounds) for (const [status, n] of Object.entries(m.statuses)) statuses[status] = (statuses[status] ?? 0) + n;
  return {
    ...rounds[0]!,
    answered: of((m) => m.answered),
    delivered: of((m) => m.delivered),
    perSecond: of((m) => m.perSecond),
    p50: of((m) => m.p50),
    p99: of((m) => m.p99),
    slowest: Math.max(...rounds.map((m) => m.slowest)),
    non2xx: rounds.reduce((sum, m) => sum + m.non2xx, 0),
    unsent: rounds.reduce((sum, m) => sum + m.unsent, 0),
    statuses,
    cpuPerRequest: {
      client: of((m) => m.cpuPerRequest.client),
      app: of((m) => m.cpuPerRequest.app),
      database: of((m) => m.cpuPerRequest.database),
    },
    commandsPerRequest: of((m) => m.commandsPerRequest),
    rounds: rounds.length,
  };
}

/** What a measured phase needs of a system under test: any of the harness's servers. */
type Target = Pick<HarnessServer, 'origin' | 'secret' | 'db'>;

async function run(
  server: Target,
  endpoint: EndpointKey,
  connections: number,
  deliveries: Delivery[],
  label: string = ENDPOINTS[endpoint].label,
): Promise<Measurement> {
  const commandsAtStart = await databaseCommands(server.db);
  const cpuAtStart = cpuTimes();
  const report = await sendDeliveries(deliveries, {
    url: `${server.origin}${ENDPOINTS[endpoint].path}`,
    secret: server.secret,
    concurrency: connections,
    stopAfterMs: PHASE_CAP_MS,
  });
  const cpu = cpuSince(cpuAtStart);
  return summarize(label, connections, report, cpu, (await databaseCommands(server.db)) - commandsAtStart);
}

const COUNTED_COMMANDS = ['insert', 'update', 'delete', 'find', 'findAndModify', 'aggregate', 'count'];

/** Reads and writes the server has run so far (serverStatus), bar the two serverStatus calls around a phase. */
async function databaseCommands(db: Db): Promise<number> {
  const { metrics } = await db.admin().command({ serverStatus: 1 });
  return COUNTED_COMMANDS.reduce((sum, name) => sum + Number(metrics?.commands?.[name]?.total ?? 0), 0);
}

const fixed = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : '—');
const count = (value: number) => value.toLocaleString('en');
/** Per answered request: CPU ms of the load generator / app / database. */
function cpuPerEvent({ cpuPerRequest: { client, app, database } }: Measurement): string {
  return `${fixed(client, 2)} / ${fixed(app, 2)} / ${fixed(database, 2)}`;
}

function row(m: Measurement): string {
  const notes = [
    m.rounds > 1 ? `median of ${m.rounds} rounds` : '',
    m.non2xx ? `${m.non2xx} non-2xx ${JSON.stringify(m.statuses)}` : '',
    m.unsent ? `${m.unsent} unsent (phase cap)` : '',
  ]
    .filter(Boolean)
    .join('; ');
  return `${m.label.padEnd(26)} ${String(m.connections).padStart(5)} ${String(m.delivered).padStart(7)} ${fixed(m.perSecond).padStart(9)} ${fixed(m.p50).padStart(8)} ${fixed(m.p99).padStart(8)} ${fixed(m.slowest).padStart(9)}  ${cpuPerEvent(m).padStart(33)}  ${fixed(m.commandsPerRequest, 2).padStart(11)}  ${notes}`;
}

const HEADER = `${'endpoint'.padEnd(26)} ${'conns'.padStart(5)} ${'events'.padStart(7)} ${'events/s'.padStart(9)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'slowest'.padStart(9)}  CPU ms/request: client / app / db  db cmds/req`;

function verdict(value: number, target: number, atLeast: boolean): string {
  const met = atLeast ? value >= target : value <= target;
  const missedBy = atLeast ? (1 - value / target) * 100 : (value / target - 1) * 100;
  return met ? 'met' : `MISSED by ${fixed(missedBy, missedBy < 1 ? 1 : 0)}%`;
}

/** The one-request checks that make the figures mean something: each route answers, and only (c) runs under the middleware. */
async function sanityCheck(server: HarnessServer): Promise<void> {
  for (const [key, endpoint] of Object.entries(ENDPOINTS)) {
    const report = await sendDeliveries(freshDeliveries(1), {
      url: `${server.origin}${endpoint.path}`,
      secret: server.secret,
      concurrency: 1,
    });
    if (report.delivered !== 1) throw new Error(`${endpoint.label} did not answer 2xx: ${JSON.stringify(report.statuses)}`);
    const response = await fetch(`${server.origin}${endpoint.path}`, { method: 'POST', body: '{}' });
    const underMiddleware = response.headers.has('x-clerk-auth-status');
    await response.arrayBuffer();
    if (underMiddleware !== (key === 'c'))
      throw new Error(`${endpoint.label}: Clerk middleware ${underMiddleware ? 'ran' : 'did not run'}`);
  }
}

/** Warm-up: JIT, connection pools, first compilation of each route. Not measured. */
async function warmUp(server: HarnessServer): Promise<void> {
  for (const key of ENDPOINT_KEYS) await run(server, key, 10, freshDeliveries(key === 'a' ? SETTINGS.floorEvents : SETTINGS.warmUpEvents));
  await clearCollections(server.db, STATE_COLLECTIONS);
}

const eventsFor = (key: EndpointKey) =>
  ({ a: SETTINGS.floorEvents, b: SETTINGS.events, seed: SETTINGS.events, c: SETTINGS.naiveEvents })[key];

/**
 * Ends what (c) left behind: its handlers keep scanning for requests the
 * sender gave up on (Svix's 15 s), which would slow the phases after it.
 * Kills its queries until none has run for a second.
 */
async function drainNaive(server: HarnessServer): Promise<void> {
  const namespace = `${server.db.databaseName}.${NAIVE_USERS_COLLECTION}`;
  const admin = server.db.client.db('admin');
  let quietSince = Date.now();
  while (Date.now() - quietSince < 1_000) {
    const running = await admin.aggregate<{ opid: number }>([{ $currentOp: {} }, { $match: { ns: namespace } }]).toArray();
    if (running.length > 0) quietSince = Date.now();
    await Promise.all(running.map(({ opid }) => admin.command({ killOp: 1, op: opid }).catch(() => undefined)));
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Every endpoint at each connection count, in interleaved rounds (a, b, c′, a,
 * b, c′, …) so that a change in the machine's load between phases shifts all
 * endpoints alike; each row is the median of its rounds. (c), far off any
 * target and the slowest, runs once, over a collection that already holds
 * users (a production database does): its unindexed look-ups scan them all.
 */
async function measureEndpoints(server: HarnessServer): Promise<Record<string, Measurement>> {
  await clearCollections(server.db, STATE_COLLECTIONS);
  const seededAt = Date.now();
  await seedUsers(server.db.collection(NAIVE_USERS_COLLECTION), SETTINGS.naiveStoredUsers, naiveUser);
  console.log(
    `\n(seeded ${count(SETTINGS.naiveStoredUsers)} users into (c)'s collection in ${fixed((Date.now() - seededAt) / 1000)} s)` +
      `\nEach phase starts from empty collections, but (c)'s, which holds ${count(SETTINGS.naiveStoredUsers)} users; fresh users' events, in order per user; no retries; ${SETTINGS.rounds} interleaved round${SETTINGS.rounds === 1 ? '' : 's'}.\n${HEADER}`,
  );
  const results: Record<string, Measurement> = {};
  for (const connections of SETTINGS.connections) {
    const rounds: Record<string, Measurement[]> = {};
    for (let round = 0; round < SETTINGS.rounds; round++) {
      for (const key of ENDPOINT_KEYS) {
        if (key === 'c') continue;
        await clearCollections(server.db, PHASE_COLLECTIONS);
        (rounds[key] ??= []).push(await run(server, key, connections, freshDeliveries(eventsFor(key))));
      }
    }
    // Last, and once: it leaves the server busy with scans for a while.
    rounds.c = [await run(server, 'c', connections, freshDeliveries(eventsFor('c')))];
    await drainNaive(server);
    for (const key of ENDPOINT_KEYS) {
      results[`${key}@${connections}`] = combineRounds(rounds[key]!);
      console.log(row(results[`${key}@${connections}`]!));
    }
  }

  console.log('\nTargets:');
  for (const connections of SETTINGS.connections) {
    const [a, b, seed, c] = ENDPOINT_KEYS.map((key) => results[`${key}@${connections}`]!);
    const ratio = (x: Measurement, y: Measurement) => x.perSecond / y.perSecond;
    const overNaive = c!.perSecond > 0 ? fixed(ratio(b!, c!), 2) : "∞ ((c) answered none within Svix's 15 s)";
    console.log(
      `  ${connections} connections: (b)/(c′) = ${fixed(ratio(b!, seed!), 2)} (target ≥ 1.0: ${verdict(ratio(b!, seed!), 1, true)}); ` +
        `(b)/(c) = ${overNaive} (target ≥ 3: ${verdict(ratio(b!, c!), 3, true)}); ` +
        `(b)/(a) = ${fixed(ratio(b!, a!), 2)} (no target: the database's CPU per write exceeds the floor's whole cost here)`,
    );
    const [appB, appA] = [b!.cpuPerRequest.app, a!.cpuPerRequest.app];
    console.log(
      `  ${connections} connections: app CPU per delivery (b) ${fixed(appB, 2)} ms vs (a) ${fixed(appA, 2)} ms + ${APP_CPU_ALLOWANCE_MS} = ${fixed(appA + APP_CPU_ALLOWANCE_MS, 2)} ms (target: ${verdict(appB, appA + APP_CPU_ALLOWANCE_MS, false)})`,
    );
  }
  return results;
}

async function measureBurst(server: HarnessServer): Promise<Measurement[]> {
  const { events, connections } = SETTINGS.burst;
  console.log(`\nBurst: (b) with ${count(events)} user.created of new users, all queued at once.\n${HEADER}`);
  const burst: Measurement[] = [];
  for (const conns of connections) {
    await clearCollections(server.db, STATE_COLLECTIONS);
    const measured = await run(server, 'b', conns, signUpBurst(events), `(b) burst of ${count(events)}`);
    burst.push(measured);
    console.log(row(measured));
  }
  for (const m of burst) {
    const allAnswered = m.delivered === events && m.non2xx === 0;
    console.log(
      `  ${m.connections} connections: ${count(m.delivered)} of ${count(events)} answered 2xx, slowest ${fixed(m.slowest / 1000, 2)} s ` +
        `(target: all 2xx, none later than Svix's ${SVIX_TIMEOUT_MS / 1000} s: ${allAnswered && m.slowest < SVIX_TIMEOUT_MS ? 'met' : 'MISSED'})`,
    );
  }
  return burst;
}

/** A stored user as a handler keeps it. */
type StoredShape = (history: UserHistory, now: Date) => Document;

/** The document the webhook path writes. */
const appUser: StoredShape = (history, now) => ({
  ...expectedDocument(history),
  createdAt: now,
  updatedAt: now,
  isOnline: false,
  lastSeen: null,
});

/** What the naive handler keeps of a user. */
const naiveUser: StoredShape = (history) => {
  const { clerkId, email, firstName, lastName, imageUrl } = expectedDocument(history);
  return { clerkId, email, firstName, lastName, imageUrl };
};

/**
 * Realistic stored users, inserted in batches; the next batch is generated
 * while the previous one is written. Returns the one in the middle.
 */
async function seedUsers(users: Collection, total: number, shape: StoredShape): Promise<string> {
  const rng = seededRandom(SEED + total);
  const now = new Date();
  let middleId = '';
  let writing: Promise<unknown> = Promise.resolve();
  for (let start = 0; start < total; start += 1_000) {
    const histories = generateHistories(rng, { users: Math.min(1_000, total - start), events: 1, deleteChance: 0, idTag: 'seed' });
    middleId = histories[Math.floor(total / 2) - start]?.userId ?? middleId;
    const documents = histories.map((history) => shape(history, now));
    await writing;
    writing = users.insertMany(documents, { ordered: false });
  }
  await writing;
  return middleId;
}

/** A ledger of `total` past deliveries, so ledger writes are timed against a realistic ledger, not an empty one. */
async function seedLedger(db: Db, total: number): Promise<void> {
  const receivedAt = new Date();
  const entries = Array.from({ length: total }, (_, i) => ({
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
  for (let start = 0; start < total; start += 1_000)
    await db.collection<StoredDeliveryRecord>(COLLECTIONS.deliveries).insertMany(entries.slice(start, start + 1_000));
}

function printSteps(stored: number, ledger: number, steps: StepTiming[]) {
  console.log(`  where a delivery's time goes (${count(stored)} users stored, ${count(ledger)} ledger entries):`);
  for (const { step, ms, runs } of steps)
    console.log(`    ${step.padEnd(48)} ${ms < 1 ? `${fixed(ms * 1000, 0)} µs` : `${fixed(ms)} ms`}  (median of ${runs})`);
}

/**
 * (b) with 1,000 and with 1,000,000 users stored. Seeding the larger set takes
 * minutes, over which a shared machine's speed drifts (by half, seen here), so
 * each size is measured in rounds alternating with the floor, and the target
 * compares (b)/(a) at the two sizes: what the stored users cost, not the drift.
 */
async function measureScale(server: HarnessServer) {
  console.log(
    `\nScale: (b) at ${SETTINGS.scaleConnections} connections with users already stored, alternating with (a); ${SETTINGS.rounds} round${SETTINGS.rounds === 1 ? '' : 's'}.\n${HEADER}`,
  );
  const scale: { stored: number; floor: Measurement; webhook: Measurement }[] = [];
  const steps: Record<number, StepTiming[]> = {};
  const ledgerEntries = 1_000;
  pointAppClientAt({ uri: server.localDb.uri, name: server.db.databaseName });
  for (const stored of SETTINGS.storedUsers) {
    await clearCollections(server.db, STATE_COLLECTIONS);
    const seededAt = Date.now();
    const storedUserId = await seedUsers(server.db.collection(COLLECTIONS.users), stored, appUser);
    console.log(`  (seeded ${count(stored)} users in ${fixed((Date.now() - seededAt) / 1000)} s)`);
    // Steps first: a database that cannot keep up leaves a backlog of writes behind a capped phase.
    await seedLedger(server.db, ledgerEntries);
    steps[stored] = await measureSteps(server.secret, storedUserId);
    await server.db.collection(COLLECTIONS.deliveries).deleteMany({});
    const floors: Measurement[] = [];
    const webhooks: Measurement[] = [];
    for (let round = 0; round < SETTINGS.rounds; round++) {
      floors.push(await run(server, 'a', SETTINGS.scaleConnections, freshDeliveries(SETTINGS.floorEvents), `(a) ${count(stored)} stored`));
      webhooks.push(
        await run(server, 'b', SETTINGS.scaleConnections, freshDeliveries(SETTINGS.scaleEvents), `(b) ${count(stored)} stored`),
      );
    }
    const [floor, webhook] = [combineRounds(floors), combineRounds(webhooks)];
    scale.push({ stored, floor, webhook });
    console.log(`${row(floor)}\n${row(webhook)}`);
  }
  await closeAppClient();
  const [small, large] = scale;
  const raw = large!.webhook.perSecond / small!.webhook.perSecond;
  const relative = large!.webhook.perSecond / large!.floor.perSecond / (small!.webhook.perSecond / small!.floor.perSecond);
  const [fewest, most] = SETTINGS.storedUsers.map(count);
  console.log(
    `  ${most} / ${fewest} stored: (b)/(a) ${fixed(relative, 3)} as fast (target ≥ 0.9: ${verdict(relative, 0.9, true)}); (b) alone ${fixed(raw, 3)}, (a) alone ${fixed(large!.floor.perSecond / small!.floor.perSecond, 3)} (the machine's drift)\n`,
  );
  for (const stored of SETTINGS.storedUsers) printSteps(stored, ledgerEntries, steps[stored]!);
  return { scale, steps };
}

const PROFILED: EndpointKey[] = ['a', 'b', 'seed'];

/** (a), (b) and (c′), each alone under the profiler, reduced to the app's CPU per request by component. */
async function profileEndpoints(server: HarnessServer): Promise<Record<string, ProfileBreakdown>> {
  const breakdowns: Record<string, ProfileBreakdown> = {};
  for (const key of PROFILED) {
    await clearCollections(server.db, STATE_COLLECTIONS);
    const { result, file } = await server.profile(key, () => run(server, key, 10, freshDeliveries(SETTINGS.profileEvents)));
    breakdowns[key] = summarizeProfile(file, result.answered);
    console.log(`${row(result)}  profile: ${path.relative(process.cwd(), file)}`);
  }
  const components = breakdowns.b!.components.map(({ component }) => component);
  for (const key of PROFILED)
    for (const { component } of breakdowns[key]!.components) if (!components.includes(component)) components.push(component);
  const msOf = (key: EndpointKey, component: string) =>
    breakdowns[key]!.components.find((c) => c.component === component)?.msPerRequest ?? 0;
  const columns = PROFILED.map((key) => ENDPOINTS[key].label.split(' ')[0]!.padStart(8)).join(' ');
  console.log(
    `\nThe app server's CPU ms per request, by component (self time; the profiler adds its own overhead):\n${'component'.padEnd(50)} ${columns}`,
  );
  for (const component of components)
    console.log(`${component.padEnd(50)} ${PROFILED.map((key) => fixed(msOf(key, component), 3).padStart(8)).join(' ')}`);
  console.log(`${'total'.padEnd(50)} ${PROFILED.map((key) => fixed(breakdowns[key]!.totalMsPerRequest, 3).padStart(8)).join(' ')}`);
  console.log(`\n(b)'s functions with the most self time, ms per request:`);
  for (const { name, msPerRequest } of breakdowns.b!.functions) console.log(`  ${fixed(msPerRequest, 3).padStart(7)}  ${name}`);
  return breakdowns;
}

/**
 * (b) through a sharded cluster's mongos beside (b) on the embedded
 * single-node replica set: both running at once from the same build, measured
 * in interleaved rounds (replica set, sharded, replica set, …) so that the
 * machine's drift shifts both alike; each row the median of its rounds.
 */
async function measureSharded(replicaSet: HarnessServer, sharded: ShardedHarnessServer): Promise<Record<string, Measurement>> {
  const targets = [
    { key: 'replica-set', label: '(b) on a replica set', server: replicaSet as Target },
    { key: 'sharded', label: '(b) through mongos', server: sharded as Target },
  ];
  for (const { server } of targets) {
    await run(server, 'b', 10, freshDeliveries(SETTINGS.warmUpEvents));
    await clearCollections(server.db, STATE_COLLECTIONS);
  }
  console.log(
    `\nEach phase starts from empty collections; fresh users' events, in order per user; no retries; ${SETTINGS.rounds} interleaved round${SETTINGS.rounds === 1 ? '' : 's'}.\n${HEADER}`,
  );
  const results: Record<string, Measurement> = {};
  for (const connections of SETTINGS.connections) {
    const rounds: Record<string, Measurement[]> = {};
    for (let round = 0; round < SETTINGS.rounds; round++) {
      for (const { key, label, server } of targets) {
        await clearCollections(server.db, STATE_COLLECTIONS);
        (rounds[key] ??= []).push(await run(server, 'b', connections, freshDeliveries(SETTINGS.events), label));
      }
    }
    for (const { key } of targets) {
      results[`${key}@${connections}`] = combineRounds(rounds[key]!);
      console.log(row(results[`${key}@${connections}`]!));
    }
  }
  console.log('\nThrough mongos against the replica set:');
  for (const connections of SETTINGS.connections) {
    const [direct, routed] = targets.map(({ key }) => results[`${key}@${connections}`]!);
    console.log(
      `  ${connections} connections: events/s ${fixed(routed!.perSecond / direct!.perSecond, 2)} ×, p50 ${fixed(routed!.p50 / direct!.p50, 2)} ×, ` +
        `database CPU per delivery ${fixed(routed!.cpuPerRequest.database, 2)} vs ${fixed(direct!.cpuPerRequest.database, 2)} ms (mongos and the shards' mongods vs one mongod)`,
    );
  }
  return results;
}

async function mainSharded(startedAt: number) {
  const log = (line: string) => console.log(`▸ ${line}`);
  const replicaSet = await startHarnessServer({ benchRoutes: false, name: 'bench-replica-set', log });
  let sharded: ShardedHarnessServer | undefined;
  const stop = () => Promise.all([replicaSet.stop(), sharded?.stop()]);
  const stopOnSignal = () => void stop().finally(() => process.exit(130));
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  try {
    sharded = await startHarnessServer({ benchRoutes: false, name: 'bench-sharded', sharded: {}, log });
    console.log(`server:  (b) on a replica set: ${replicaSet.localDb.description}`);
    console.log(`server:  (b) through mongos: ${sharded.cluster.description}`);
    const results = await measureSharded(replicaSet, sharded);
    mkdirSync(ARTIFACTS, { recursive: true });
    const databases = { replicaSet: replicaSet.localDb.description, sharded: sharded.cluster.description };
    writeFileSync(RESULTS_FILE, JSON.stringify({ machine: describeMachine(), quick: QUICK, databases, results }, null, 2));
    console.log(`\nDone in ${fixed((Date.now() - startedAt) / 1000, 0)} s; figures in ${path.relative(process.cwd(), RESULTS_FILE)}`);
  } finally {
    await stop();
  }
}

async function main() {
  const startedAt = Date.now();
  console.log(`npm run bench${QUICK ? ' --quick' : ''}${PROFILE ? ' --cpu-prof' : ''}${SHARDED ? ' --sharded' : ''}`);
  describeMachine().forEach((line) => console.log(line));
  if (SHARDED) return mainSharded(startedAt);
  const server = await startHarnessServer({
    benchRoutes: true,
    name: 'bench',
    log: (line) => console.log(`▸ ${line}`),
    cpuProfileDir: PROFILE ? CPU_PROFILE_DIR : undefined,
  });
  console.log(`server:  ${server.localDb.description}`);
  const stopOnSignal = () => void server.stop().finally(() => process.exit(130));
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);

  try {
    await sanityCheck(server);
    await warmUp(server);
    const figures = PROFILE
      ? { profiles: await profileEndpoints(server) }
      : { results: await measureEndpoints(server), burst: await measureBurst(server), ...(SCALE ? await measureScale(server) : {}) };
    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(
      RESULTS_FILE,
      JSON.stringify({ machine: describeMachine(), quick: QUICK, database: server.localDb.description, ...figures }, null, 2),
    );
    console.log(`\nDone in ${fixed((Date.now() - startedAt) / 1000, 0)} s; figures in ${path.relative(process.cwd(), RESULTS_FILE)}`);
  } finally {
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
});
