/**
 * The fault run (`npm run test:fault`): a Svix-like sender delivers the
 * histories of 300 users and 40 organizations (with their memberships) to
 * the production build — shuffled together, 10 % redelivered
 * under the same svix-id, 50 at a time, every non-2xx retried on Svix's
 * schedule compressed 1000× — while one of the faults production really has
 * strikes: the database crashes, the database hangs, the app crashes, and the
 * database crashes under three app instances served round-robin.
 *
 * Each phase holds the sender until its fault is confirmed in effect, releases
 * it into the fault, and lifts the fault only once 100 attempts have met it;
 * that overlap is asserted first. Then: every answer inside the fault is a 503
 * with Retry-After (no answer at all where the app itself is down), every
 * answer comes within Svix's 15 s, no status but 200 and 503, every delivery
 * acknowledged once retries drain, and the database holds exactly what
 * in-order delivery gives, with one 2xx ledger entry per svix-id. Seeded:
 * rerun a failure with FAULT_SEED=<seed>.
 */
import { afterEach, describe, test } from 'vitest';
import { appCrash, databaseCrash, databaseHang, type Fault } from '../../tools/harness/faults';
import { generateHistories, generateOrganizationHistories } from '../../tools/harness/histories';
import { seededRandom } from '../../tools/harness/random';
import { startHarnessServer, type HarnessServer } from '../../tools/harness/server';
import { runFaultPhase } from '../support/fault-phase';

const SEED = Number(process.env.FAULT_SEED ?? 20_251_124);
const USERS = 300;
const ORGANIZATIONS = 40;
/** Enough connections that 100 attempts fit in a few rounds even when each waits out a timeout. */
const CONCURRENCY = 50;
/** Attempts that must meet the fault before it is lifted. */
const OVERLAP = 100;
/** The fault starts once this share of the deliveries has been answered. */
const FAULT_AFTER = 0.3;

type Phase = { name: string; fault: Fault; instances: number };

const PHASES: Phase[] = [
  { name: 'database crash', fault: databaseCrash, instances: 1 },
  { name: 'database hang', fault: databaseHang, instances: 1 },
  { name: 'app crash', fault: appCrash, instances: 1 },
  { name: 'three app instances, database crash', fault: databaseCrash, instances: 3 },
];

let server: HarnessServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

describe.each(PHASES)('$name', ({ name, fault, instances }) => {
  test(`${fault.name}${instances > 1 ? `, ${instances} instances round-robin` : ''}: nothing lost, duplicated or half-written`, async () => {
    const log = (line: string) => console.log(`  [${name}] ${line}`);
    server = await startHarnessServer({ benchRoutes: false, name: `fault-${name.replaceAll(/\W+/g, '-')}`, instances, log: () => {} });
    const rng = seededRandom(SEED);
    const histories = generateHistories(rng, { users: USERS, events: [2, 4], deleteChance: 0.25 });
    const organizations = generateOrganizationHistories(rng, { organizations: ORGANIZATIONS, members: [1, 5], deleteChance: 0.25 });
    await runFaultPhase({
      server,
      fault,
      rng,
      histories,
      organizations,
      log,
      concurrency: CONCURRENCY,
      overlap: OVERLAP,
      faultAfter: FAULT_AFTER,
    });
  });
});
