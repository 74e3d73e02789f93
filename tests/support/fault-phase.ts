/**
 * One phase of a fault run, shared by the fault run and the replica-set
 * failover test: a Svix-like sender delivers the histories to every app
 * instance round-robin while `fault` strikes, held until the fault is
 * confirmed, released into it, the fault lifted only once `overlap` attempts
 * have met it. That overlap is asserted first; then every answer inside the
 * fault is a 503 with Retry-After (no answer at all where the app itself is
 * down; 200 too where the fault is partial, one shard of several), every answer comes within Svix's 15 s, no status but 200 and 503,
 * every delivery is acknowledged once retries drain, and the database holds
 * exactly what in-order delivery gives, with one 2xx ledger entry per svix-id.
 */
import { expect } from 'vitest';
import { DEFAULT_COLLECTIONS as COLLECTIONS } from 'clerk-mongo-sync';
import {
  checkAgainstInOrder,
  checkOrganizationsAgainstInOrder,
  describeCheck,
  describeOrganizationCheck,
} from '../../tools/harness/expected-state';
import { attemptsInside, attemptsMeeting, faultController, type Fault, type FaultWindow } from '../../tools/harness/faults';
import type { OrganizationHistory, UserHistory } from '../../tools/harness/histories';
import type { Rng } from '../../tools/harness/random';
import { compressedSvixSchedule, planDeliveries, sendDeliveries, SVIX_TIMEOUT_MS, type Attempt } from '../../tools/harness/sender';
import type { HarnessServer } from '../../tools/harness/server';

type Phase<Server> = {
  server: Server;
  fault: Fault<Server>;
  rng: Rng;
  histories: UserHistory[];
  /** Organizations' histories delivered with the users', mixed into one shuffle. */
  organizations?: OrganizationHistory[];
  log: (line: string) => void;
  /** Enough connections that `overlap` attempts fit in a few rounds even when each waits out a timeout. */
  concurrency: number;
  /** Attempts that must meet the fault before it is lifted. */
  overlap: number;
  /** The fault starts once this share of the deliveries has been answered. */
  faultAfter: number;
};

/** "120 × 503, 3 × no answer" */
function tally(attempts: readonly Attempt[]): string {
  const counts = new Map<number, number>();
  for (const { status } of attempts) counts.set(status, (counts.get(status) ?? 0) + 1);
  return [...counts].map(([status, count]) => `${count} × ${status === 0 ? 'no answer' : status}`).join(', ');
}

/** Runs the phase and checks what it must leave; returns when the fault was in effect, for checks of the fault's own. */
export async function runFaultPhase<Server extends Pick<HarnessServer, 'apps' | 'secret' | 'db'>>({
  server,
  fault,
  rng,
  histories,
  organizations = [],
  log,
  concurrency,
  overlap,
  faultAfter,
}: Phase<Server>): Promise<FaultWindow> {
  const deliveries = planDeliveries(rng, [...histories, ...organizations], { order: 'shuffled', duplicateRate: 0.1 });
  const faultDue = Math.round(deliveries.length * faultAfter);

  const controller = faultController(fault, server, { overlap });
  const attempts: Attempt[] = [];
  const report = await sendDeliveries(deliveries, {
    url: server.apps.map(({ origin }) => `${origin}/api/webhooks/clerk`),
    secret: server.secret,
    concurrency,
    retryDelaysMs: compressedSvixSchedule(1_000),
    beforeAttempt: controller.beforeAttempt,
    onAttempt: (attempt) => {
      attempts.push(attempt);
      controller.onAttempt(attempt);
      if (attempts.length >= faultDue) controller.start();
    },
  });
  await controller.finish();
  const { window } = controller;

  // First: did the fault really overlap the work? Nothing else means anything otherwise.
  const inside = attemptsInside(attempts, window);
  // A partial fault (one shard) is met by the attempts that need its data: answered 503, the others 200.
  const met = fault.partial ? inside.filter(({ status }) => status === 503) : inside;
  log(
    `overlap: ${inside.length} attempts inside the fault (${tally(inside)}) over ${Math.round(window.liftStartedAt - window.confirmedAt)} ms`,
  );
  expect(
    met.length,
    fault.partial ? 'attempts answered 503 during the fault' : 'attempts answered or timed out during the fault',
  ).toBeGreaterThanOrEqual(overlap);
  const struckInFlight = attempts.filter(({ startedAt, endedAt }) => startedAt < window.injectedAt && endedAt > window.injectedAt);
  expect.soft(struckInFlight.length, 'attempts in flight when the fault struck (it struck under load)').toBeGreaterThan(0);

  const wrongInside = fault.appDown
    ? inside.filter(({ status, noAnswer }) => status !== 0 || noAnswer !== 'connection')
    : inside.filter(({ status, retryAfter }) => !(status === 503 && retryAfter) && !(fault.partial && status === 200));
  expect
    .soft(
      wrongInside.map(({ status }) => status),
      fault.appDown
        ? 'no answer while the app is down'
        : fault.partial
          ? 'every answer during the fault is 200, or 503 with Retry-After'
          : 'every answer during the fault is 503 with Retry-After',
    )
    .toEqual([]);

  const meeting = new Set(attemptsMeeting(attempts, window));
  const unanswered = attempts.filter(({ status }) => status === 0);
  const excusedNoAnswer = (attempt: Attempt) => fault.appDown && attempt.noAnswer === 'connection' && meeting.has(attempt);
  const describeAttempt = ({ noAnswer, startedAt, endedAt, target, attempt }: Attempt) =>
    `${noAnswer} after ${Math.round(endedAt - startedAt)} ms (instance ${target}, attempt ${attempt}, ${Math.round(startedAt - window.injectedAt)} ms after the fault struck)`;
  expect
    .soft(
      unanswered.filter((attempt) => !excusedNoAnswer(attempt)).map(describeAttempt),
      'attempts with no answer (timeouts, or while the app was up)',
    )
    .toEqual([]);
  const slowest = Math.max(...attempts.filter(({ status }) => status !== 0).map(({ startedAt, endedAt }) => endedAt - startedAt));
  expect.soft(slowest, `slowest answer (ms), within Svix's ${SVIX_TIMEOUT_MS / 1000} s`).toBeLessThan(SVIX_TIMEOUT_MS);
  const unexpected = Object.keys(report.statuses).filter((status) => !['200', '503', ...(fault.appDown ? ['0'] : [])].includes(status));
  expect.soft(unexpected, 'statuses other than 200 and 503').toEqual([]);
  expect
    .soft({ delivered: report.delivered, gaveUp: report.failed }, 'every delivery acknowledged once retries drain')
    .toEqual({ delivered: deliveries.length, gaveUp: 0 });

  const state = await checkAgainstInOrder(server.db, histories);
  expect.soft(state.counts.lost, 'lost users').toBe(0);
  expect.soft(state.counts.duplicated, 'duplicated users').toBe(0);
  expect.soft(state.counts.resurrected, 'resurrected users').toBe(0);
  expect.soft(state.mismatches.slice(0, 5), `final state equals in-order delivery (${describeCheck(state)})`).toEqual([]);
  const organizationState = await checkOrganizationsAgainstInOrder(server.db, organizations);
  expect
    .soft(
      organizationState.mismatches.slice(0, 5),
      `organizations end as in-order delivery leaves them (${describeOrganizationCheck(organizationState)})`,
    )
    .toEqual([]);

  const svixIds = new Set(deliveries.map(({ svixId }) => svixId));
  const ledger = await server.db
    .collection(COLLECTIONS.deliveries)
    .find({}, { projection: { _id: 0, svixId: 1, status: 1 } })
    .toArray();
  const acknowledged = new Set(ledger.filter(({ status }) => status < 300).map(({ svixId }) => svixId as string));
  expect
    .soft({ entries: ledger.length, acknowledged: acknowledged.size }, 'the ledger holds one 2xx entry per svix-id')
    .toEqual({ entries: svixIds.size, acknowledged: svixIds.size });

  log(
    `${deliveries.length} deliveries, ${report.attempts} attempts (${report.retried} retries; ${struckInFlight.length} in flight when the fault struck): ${tally(attempts)}; ` +
      `slowest answer ${Math.round(slowest)} ms; ${state.counts.lost} lost, ${state.counts.duplicated} duplicated, ${state.counts.resurrected} resurrected; ${describeCheck(state)}; ${describeOrganizationCheck(organizationState)}`,
  );
  return window;
}
