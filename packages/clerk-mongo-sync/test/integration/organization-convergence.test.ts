/**
 * Property: however Svix delivers organizations' histories — shuffled,
 * redelivered under the same svix-id, re-sent under a new one, concurrently
 * — each organization, its memberships and its members' documents end as
 * in-order delivery leaves them, stated from the documented mapping
 * (tools/harness/expected-state.ts), with every membership linked to both
 * sides' `_id`s. Histories include renames, role changes, members leaving and
 * rejoining, members deleted as users, and deleted organizations.
 *
 * Seeded: a failure prints its seed; rerun with PROPERTY_SEED=<seed>.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { signWebhook, type SignedWebhook } from '../../src/testing/svix.js';
import { database } from '../support/engine.js';
import { postToRoute, type Answer } from '../support/webhook.js';
import {
  checkOrganizationsAgainstInOrder,
  describeOrganizationCheck,
  expectedOrganizationState,
} from '../../../../tools/harness/expected-state';
import { generateOrganizationHistories, type OrganizationHistory } from '../../../../tools/harness/histories';
import { seededRandom as random } from '../../../../tools/harness/random';

const SEED = Number(process.env.PROPERTY_SEED ?? 20_260_126);
const ORGANIZATIONS = 60;
const PER_ROUND = 10;
const CONCURRENCY = 8;

type Rng = ReturnType<typeof random>;

function sign(payload: unknown): SignedWebhook {
  return signWebhook(process.env.CLERK_WEBHOOK_SECRET!, payload);
}

function expectAcknowledged(answer: Answer) {
  expect(answer.status, `seed ${SEED}: ${JSON.stringify(answer.body)}`).toBe(200);
}

async function deliverConcurrently(deliveries: SignedWebhook[]) {
  for (let start = 0; start < deliveries.length; start += CONCURRENCY) {
    const answers = await Promise.all(deliveries.slice(start, start + CONCURRENCY).map((delivery) => postToRoute(delivery)));
    answers.forEach(expectAcknowledged);
  }
}

beforeAll(() => {
  vi.spyOn(console, 'log').mockImplementation(() => undefined);
});

afterAll(() => {
  vi.restoreAllMocks();
});

describe(`organization convergence (seed ${SEED})`, () => {
  it('the oracle is not trivial: the histories end in deleted organizations, ended, rejoined and live memberships', () => {
    const histories = generateOrganizationHistories(random(SEED), { organizations: ORGANIZATIONS, members: [1, 5], deleteChance: 0.3 });
    const states = histories.map(expectedOrganizationState);
    const memberships = states.flatMap((state) => [...state.memberships.values()]);
    expect(states.filter((state) => state.organization.deletedAt !== null).length).toBeGreaterThan(5);
    expect(memberships.filter((membership) => membership.deletedAt === null).length).toBeGreaterThan(20);
    expect(memberships.filter((membership) => membership.deletedAt !== null).length).toBeGreaterThan(20);
    const rejoins = histories.filter(({ events }) => {
      const ids = events.filter((event) => event.type === 'organizationMembership.created').map((event) => JSON.stringify(event.data));
      return (
        new Set(ids).size !== ids.length ||
        events.some(
          (event, index) =>
            event.type === 'organizationMembership.created' &&
            events.slice(0, index).some((before) => before.type === 'organizationMembership.deleted'),
        )
      );
    });
    expect(rejoins.length).toBeGreaterThan(0);
  });

  it(`random histories of ${ORGANIZATIONS} organizations, delivered shuffled with duplicates and concurrency, end exactly as in-order delivery`, async () => {
    const rng = random(SEED);
    const histories = generateOrganizationHistories(rng, { organizations: ORGANIZATIONS, members: [1, 5], deleteChance: 0.3 });
    for (let start = 0; start < histories.length; start += PER_ROUND)
      await deliverRound(rng, histories.slice(start, start + PER_ROUND), start / PER_ROUND);
  }, 180_000);
});

async function deliverRound(rng: Rng, histories: OrganizationHistory[], round: number) {
  const deliveries: SignedWebhook[] = [];
  for (const { events } of histories) {
    for (const event of events) {
      const delivery = sign(event);
      deliveries.push(delivery);
      if (rng.chance(0.25)) deliveries.push(delivery); // a redelivery: the same svix-id
      if (rng.chance(0.1)) deliveries.push(sign(event)); // a re-sent copy: a new svix-id
    }
  }
  await deliverConcurrently(rng.shuffle(deliveries));
  const check = await checkOrganizationsAgainstInOrder(database(), histories);
  const context = (orgId: string) =>
    histories
      .find((history) => history.orgId === orgId)
      ?.events.map((event) => event.type)
      .join(' → ');
  expect(
    check.mismatches.slice(0, 3).map((mismatch) => ({ ...mismatch, history: context(mismatch.orgId) })),
    `seed ${SEED}, round ${round}: ${describeOrganizationCheck(check)}`,
  ).toEqual([]);
}
