/**
 * `npm run test:fault`: the database goes away for several seconds while a
 * Svix-like sender delivers the histories of 300 users to the production
 * build — shuffled, 10% redelivered under the same svix-id, 10 at a time,
 * every non-2xx retried on Svix's schedule compressed 1000× — and comes back
 * on the same port and data. Proves: every answer during the outage is a 503
 * inside Svix's 15 s; once the retries drain, the database holds exactly what
 * in-order delivery gives (nothing lost, duplicated, resurrected or stale).
 *
 * Bounded to a few minutes. Last line: "N passed, N failed". Seeded: rerun a
 * failure with FAULT_SEED=<seed>.
 */
import { COLLECTIONS } from '../../lib/db/indexes';
import { checkAgainstInOrder, describeCheck } from '../support/delivery-harness/expected-state';
import { generateHistories } from '../support/delivery-harness/histories';
import { seededRandom } from '../support/delivery-harness/random';
import {
  compressedSvixSchedule,
  planDeliveries,
  sendDeliveries,
  SVIX_TIMEOUT_MS,
  type Attempt,
} from '../support/delivery-harness/sender';
import { startHarnessServer, type HarnessServer } from '../support/delivery-harness/server';

const SEED = Number(process.env.FAULT_SEED ?? 20_251_124);
const USERS = 300;
const CONCURRENCY = 10;
/**
 * Long enough for several full 503 answers per connection: an attempt that
 * meets the stopped database waits out the driver's 5 s server selection.
 */
const OUTAGE_MS = 15_000;
/** The outage starts once this share of the deliveries has been answered. */
const OUTAGE_AFTER = 0.3;
const WATCHDOG_MS = 5 * 60_000;

type Check = { name: string; ok: boolean; detail: string };
type Outage = { stoppedAt: number; restartStartedAt: number; restartedAt: number };

const checks: Check[] = [];

function check(name: string, ok: boolean, detail = ''): void {
  checks.push({ name, ok, detail });
  console.log(`${ok ? '✓' : '✗'} ${name}${detail ? ` — ${detail}` : ''}`);
}

function summarize(): void {
  const failed = checks.filter(({ ok }) => !ok).length;
  console.log(`\n${checks.length - failed} passed, ${failed} failed`);
  process.exitCode = failed === 0 ? 0 : 1;
}

async function takeDatabaseDown(server: HarnessServer): Promise<Outage> {
  console.log(`  … stopping the database for ${OUTAGE_MS / 1000} s`);
  await server.localDb.stop();
  const stoppedAt = performance.now();
  await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
  const restartStartedAt = performance.now();
  await server.localDb.restart();
  console.log('  … database back on the same port and data');
  return { stoppedAt, restartStartedAt, restartedAt: performance.now() };
}

async function benchRoutesAreOff(server: HarnessServer): Promise<void> {
  const statuses = await Promise.all(
    ['/api/webhooks/bench-floor', '/api/bench/naive-webhook'].map(async (path) => {
      const response = await fetch(`${server.origin}${path}`, { method: 'POST', body: '{}' });
      await response.arrayBuffer();
      return response.status;
    }),
  );
  check('benchmark-only routes answer 404 without BENCH_ROUTES=1', statuses.every((status) => status === 404), `statuses ${statuses.join(', ')}`);
}

async function run(server: HarnessServer): Promise<void> {
  await benchRoutesAreOff(server);

  const rng = seededRandom(SEED);
  const histories = generateHistories(rng, { users: USERS, events: [2, 4], deleteChance: 0.25 });
  const deliveries = planDeliveries(rng, histories, { order: 'shuffled', duplicateRate: 0.1 });
  console.log(`  … delivering ${deliveries.length} deliveries (${USERS} users, seed ${SEED}) at ${CONCURRENCY} connections`);

  const attempts: Attempt[] = [];
  const outageTrigger = Math.round(deliveries.length * OUTAGE_AFTER);
  let outage: Promise<Outage> | undefined;
  const report = await sendDeliveries(deliveries, {
    url: `${server.origin}/api/webhooks/clerk`,
    secret: server.secret,
    concurrency: CONCURRENCY,
    retryDelaysMs: compressedSvixSchedule(1_000),
    onAttempt: (attempt) => {
      attempts.push(attempt);
      if (attempts.length === outageTrigger) outage = takeDatabaseDown(server);
    },
  });
  if (!outage) throw new Error('the deliveries ended before the outage started');
  const { stoppedAt, restartStartedAt } = await outage;
  console.log(`  … ${report.attempts} attempts (${report.retried} retries), statuses ${JSON.stringify(report.statuses)}`);

  const duringOutage = attempts.filter(({ startedAt, endedAt }) => startedAt >= stoppedAt && endedAt <= restartStartedAt);
  // Each attempt then waits out the driver's 5 s server selection: about one answer per connection per 5 s.
  check('deliveries were answered while the database was down', duringOutage.length >= 3, `${duringOutage.length} answers`);
  const notRetryLater = duringOutage.filter(({ status }) => status !== 503);
  check('every answer during the outage is 503', notRetryLater.length === 0, notRetryLater.length ? `statuses ${notRetryLater.map(({ status }) => status).join(', ')}` : '');
  const slowest = Math.max(...attempts.map(({ startedAt, endedAt }) => endedAt - startedAt));
  check(`every answer arrives within Svix's ${SVIX_TIMEOUT_MS / 1000} s`, slowest < SVIX_TIMEOUT_MS && !report.statuses['0'], `slowest ${Math.round(slowest)} ms`);
  const unexpected = Object.keys(report.statuses).filter((status) => status !== '200' && status !== '503');
  check('no answer other than 200 or 503', unexpected.length === 0, unexpected.length ? `also ${unexpected.join(', ')}` : '');
  check('every delivery is acknowledged once retries drain', report.delivered === deliveries.length && report.failed === 0, `${report.delivered}/${deliveries.length} acknowledged, ${report.failed} gave up`);

  const state = await checkAgainstInOrder(server.db, histories);
  const { lost, duplicated, resurrected } = state.counts;
  check('zero lost users', lost === 0, `${lost} lost`);
  check('zero duplicated users', duplicated === 0, `${duplicated} duplicated`);
  check('zero resurrected users', resurrected === 0, `${resurrected} resurrected`);
  check('final state equals in-order delivery', state.mismatches.length === 0, describeCheck(state));
  state.mismatches.slice(0, 5).forEach(({ userId, kind, detail }) => console.log(`    ${kind} ${userId}: ${detail}`));

  const svixIds = new Set(deliveries.map(({ svixId }) => svixId));
  const ledger = await server.db.collection(COLLECTIONS.deliveries).find({}, { projection: { _id: 0, svixId: 1, status: 1 } }).toArray();
  const acknowledged = ledger.filter(({ svixId, status }) => svixIds.has(svixId) && status < 300);
  check('the ledger holds one 2xx entry per svix-id', ledger.length === svixIds.size && acknowledged.length === svixIds.size, `${acknowledged.length} 2xx entries of ${ledger.length}, ${svixIds.size} svix-ids`);
}

async function main() {
  const startedAt = Date.now();
  let server: HarnessServer | undefined;
  const watchdog = setTimeout(() => {
    check('fault run finished in time', false, `still running after ${WATCHDOG_MS / 1000} s`);
    summarize();
    void (server?.stop() ?? Promise.resolve()).finally(() => process.exit(1));
  }, WATCHDOG_MS);
  try {
    server = await startHarnessServer({ benchRoutes: false, name: 'fault', log: (line) => console.log(`  … ${line}`) });
    await run(server);
  } catch (error) {
    check('fault run completed', false, error instanceof Error ? error.message : String(error));
  } finally {
    await server?.stop();
    clearTimeout(watchdog);
  }
  console.log(`  … ${Math.round((Date.now() - startedAt) / 1000)} s`);
  summarize();
}

void main();
