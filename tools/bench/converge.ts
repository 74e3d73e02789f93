/**
 * `npm run bench:converge`: convergence at scale. The same 1,000 users'
 * 10-event histories, and 100 organizations' histories with 2–6 members
 * each (joins, role changes, leaving and rejoining, members and
 * organizations deleted), are delivered under 50 different seeded shuffles, 10%
 * redelivered under the same svix-id, 10 at a time, every non-2xx retried on
 * Svix's compressed schedule; after each, every user's document is compared
 * with what in-order delivery gives, and every organization with its
 * memberships and members. Reports the share that converged.
 *
 * One server for the whole run; collections are emptied between rounds. A
 * shuffle is delivered in rounds of --round-users users, each round shuffled
 * on its own; the default is one round over all users, the hardest case.
 * Stops between rounds once --budget-minutes is spent and reports what it
 * covered.
 *
 * Options: --shuffles 50 --users 1000 --organizations 100 --events 10 --duplicates 0.1
 *          --concurrency 10 --round-users 1000 --budget-minutes 90 --seed N
 */
import { parseArgs } from 'node:util';
import { DEFAULT_COLLECTIONS as COLLECTIONS } from 'clerk-mongo-sync';
import { checkAgainstInOrder, checkOrganizationsAgainstInOrder, type Mismatch, type OrganizationMismatch } from '../harness/expected-state';
import { generateHistories, generateOrganizationHistories, type OrganizationHistory, type UserHistory } from '../harness/histories';
import { seededRandom } from '../harness/random';
import { compressedSvixSchedule, planDeliveries, sendDeliveries } from '../harness/sender';
import { clearCollections, startHarnessServer, type HarnessServer } from '../harness/server';
import { describeMachine } from './machine';

const { values: options } = parseArgs({
  options: {
    shuffles: { type: 'string', default: '50' },
    users: { type: 'string', default: '1000' },
    organizations: { type: 'string', default: '100' },
    events: { type: 'string', default: '10' },
    duplicates: { type: 'string', default: '0.1' },
    concurrency: { type: 'string', default: '10' },
    'round-users': { type: 'string', default: '1000' },
    'budget-minutes': { type: 'string', default: '90' },
    seed: { type: 'string', default: '424242' },
  },
  strict: true,
});

const SHUFFLES = Number(options.shuffles);
const USERS = Number(options.users);
const ORGANIZATIONS = Number(options.organizations);
const EVENTS = Number(options.events);
const DUPLICATES = Number(options.duplicates);
const CONCURRENCY = Number(options.concurrency);
const ROUND_USERS = Number(options['round-users']);
const BUDGET_MS = Number(options['budget-minutes']) * 60_000;
const SEED = Number(options.seed);

type ShuffleResult = {
  users: number;
  converged: number;
  organizations: number;
  organizationsConverged: number;
  deliveries: number;
  retried: number;
  gaveUp: number;
  mismatches: Mismatch[];
  organizationMismatches: OrganizationMismatch[];
};

async function deliverShuffle(
  server: HarnessServer,
  histories: UserHistory[],
  organizationHistories: OrganizationHistory[],
  shuffle: number,
  deadline: number,
): Promise<ShuffleResult | null> {
  const rng = seededRandom(SEED * 1_000 + shuffle);
  const result: ShuffleResult = {
    users: 0,
    converged: 0,
    organizations: 0,
    organizationsConverged: 0,
    deliveries: 0,
    retried: 0,
    gaveUp: 0,
    mismatches: [],
    organizationMismatches: [],
  };
  // Each round takes its share of the organizations, so a round is a mix like production's.
  const organizationsUpTo = (users: number) => Math.round((organizationHistories.length * users) / Math.max(1, histories.length));
  for (let start = 0; start < histories.length; start += ROUND_USERS) {
    if (Date.now() > deadline) return result.users ? result : null;
    const round = histories.slice(start, start + ROUND_USERS);
    const organizations = organizationHistories.slice(organizationsUpTo(start), organizationsUpTo(start + round.length));
    const plan = planDeliveries(rng, [...round, ...organizations], { order: 'shuffled', duplicateRate: DUPLICATES });
    const report = await sendDeliveries(plan, {
      url: `${server.origin}/api/webhooks/clerk`,
      secret: server.secret,
      concurrency: CONCURRENCY,
      retryDelaysMs: compressedSvixSchedule(1_000),
    });
    const state = await checkAgainstInOrder(server.db, round);
    const organizationState = await checkOrganizationsAgainstInOrder(server.db, organizations);
    result.users += state.users;
    result.converged += state.matched;
    result.organizations += organizationState.organizations;
    result.organizationsConverged += organizationState.matched;
    result.organizationMismatches.push(...organizationState.mismatches);
    result.deliveries += report.deliveries;
    result.retried += report.retried;
    result.gaveUp += report.failed;
    result.mismatches.push(...state.mismatches);
    await clearCollections(server.db, [COLLECTIONS.users, COLLECTIONS.deliveries, COLLECTIONS.organizations, COLLECTIONS.memberships]);
  }
  return result;
}

const percent = (part: number, whole: number) => `${((100 * part) / Math.max(1, whole)).toFixed(2)}%`;

async function main() {
  const startedAt = Date.now();
  const deadline = startedAt + BUDGET_MS;
  console.log('npm run bench:converge');
  describeMachine().forEach((line) => console.log(line));
  console.log(
    `${SHUFFLES} shuffles × (${USERS} users × ${EVENTS} events + ${ORGANIZATIONS} organizations), ${DUPLICATES * 100}% redelivered, ${CONCURRENCY} connections, rounds of ${ROUND_USERS} users, budget ${BUDGET_MS / 60_000} min, seed ${SEED}`,
  );
  const histories = generateHistories(seededRandom(SEED), { users: USERS, events: EVENTS, deleteChance: 0.2 });
  const organizationHistories = generateOrganizationHistories(seededRandom(SEED + 1), {
    organizations: ORGANIZATIONS,
    members: [2, 6],
    deleteChance: 0.2,
  });
  const server = await startHarnessServer({ benchRoutes: false, name: 'converge', log: (line) => console.log(`▸ ${line}`) });
  const stopOnSignal = () => void server.stop().finally(() => process.exit(130));
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);

  const totals = {
    shuffles: 0,
    fullyConverged: 0,
    users: 0,
    converged: 0,
    organizations: 0,
    organizationsConverged: 0,
    deliveries: 0,
    retried: 0,
    gaveUp: 0,
  };
  try {
    for (let shuffle = 1; shuffle <= SHUFFLES; shuffle++) {
      const shuffleStartedAt = Date.now();
      const result = await deliverShuffle(server, histories, organizationHistories, shuffle, deadline);
      if (!result) break;
      const complete = result.users === USERS;
      totals.shuffles += complete ? 1 : 0;
      totals.fullyConverged += complete && result.converged === USERS && result.organizationsConverged === result.organizations ? 1 : 0;
      totals.users += result.users;
      totals.converged += result.converged;
      totals.organizations += result.organizations;
      totals.organizationsConverged += result.organizationsConverged;
      totals.deliveries += result.deliveries;
      totals.retried += result.retried;
      totals.gaveUp += result.gaveUp;
      console.log(
        `shuffle ${String(shuffle).padStart(2)}: ${result.converged}/${result.users} users, ${result.organizationsConverged}/${result.organizations} organizations converged${complete ? '' : ' (budget spent mid-shuffle)'}, ${result.deliveries} deliveries, ${result.retried} retries, ${result.gaveUp} given up, ${Math.round((Date.now() - shuffleStartedAt) / 1000)} s`,
      );
      result.mismatches.slice(0, 5).forEach(({ userId, kind, detail }) => console.log(`    ${kind} ${userId}: ${detail}`));
      result.organizationMismatches
        .slice(0, 5)
        .forEach(({ orgId, userId, kind, detail }) => console.log(`    ${kind} ${orgId}${userId ? ` / ${userId}` : ''}: ${detail}`));
      if (!complete) break;
    }
  } finally {
    await server.stop();
  }

  const elapsedS = (Date.now() - startedAt) / 1000;
  console.log(
    `\nConverged: ${totals.converged}/${totals.users} user histories (${percent(totals.converged, totals.users)}), ${totals.organizationsConverged}/${totals.organizations} organization histories (${percent(totals.organizationsConverged, totals.organizations)}); ${totals.fullyConverged}/${totals.shuffles} complete shuffles fully converged`,
  );
  console.log(
    `Delivered ${totals.deliveries} deliveries (${totals.retried} retries, ${totals.gaveUp} given up) in ${Math.round(elapsedS)} s`,
  );
  if (totals.users < SHUFFLES * USERS) {
    const perUser = elapsedS / Math.max(1, totals.users);
    console.log(
      `Covered ${percent(totals.users, SHUFFLES * USERS)} of the ${SHUFFLES} shuffles within the budget; all of them would take about ${Math.round((perUser * SHUFFLES * USERS) / 60)} min at this rate`,
    );
  }
  process.exitCode =
    totals.converged === totals.users && totals.organizationsConverged === totals.organizations && totals.gaveUp === 0 ? 0 : 1;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
});
