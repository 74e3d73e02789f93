/**
 * Property: however Svix delivers a set of histories — shuffled, duplicated,
 * concurrently — the database ends in exactly the state in-order delivery
 * leaves. Each random user history is delivered twice under two ids: in order
 * for one, shuffled with duplicates for its twin; the twins' documents must
 * be equal field by field (bar _id, createdAt, updatedAt).
 *
 * Seeded: a failure prints its seed; rerun with PROPERTY_SEED=<seed>.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { StoredUser } from '../../src/users/schema.js';
import { store } from '../support/engine.js';
import { clerkId, clerkUser, userCreatedEvent, userDeletedEvent, userUpdatedEvent } from '../../src/testing/payloads.js';
import { signWebhook, type SignedWebhook } from '../../src/testing/svix.js';
import { postToRoute, type Answer } from '../support/webhook.js';
import { seededRandom as random } from '../../../../tools/harness/random';

const SEED = Number(process.env.PROPERTY_SEED ?? 20_250_601);
const USERS = 200;
const USERS_PER_ROUND = 10;
const CONCURRENCY = 8;

type Rng = ReturnType<typeof random>;
type Payload = ReturnType<typeof userCreatedEvent> | ReturnType<typeof userUpdatedEvent> | ReturnType<typeof userDeletedEvent>;

const NAMES = ['Ada', 'Grace', 'Alan', '$set', 'a.b', null] as const;
const METADATA = [
  {},
  { role: 'admin' },
  { plan: { tier: 'pro' } },
  { $inc: { credits: 5 }, 'x.y': true },
  { role: 'member', tags: ['$a', 'b'] },
];

/** One user's life at Clerk: created, edited k times, sometimes deleted; strictly increasing versions. */
function history(rng: Rng, id: string): Payload[] {
  const createdAt = Date.now() - 3_600_000 + rng.int(0, 600_000);
  let updatedAt = createdAt;
  const version = () =>
    clerkUser({
      id,
      createdAt,
      updatedAt,
      firstName: rng.pick(NAMES),
      lastName: rng.pick(NAMES),
      username: rng.chance(0.5) ? `user${rng.int(1, 999)}` : null,
      email: rng.chance(0.8) ? `person${rng.int(1, 9_999)}@example.com` : null,
      extraEmails: rng.chance(0.3) ? [`alt${rng.int(1, 999)}@example.org`] : [],
      phone: rng.chance(0.4) ? `+1555555${rng.int(1_000, 9_999)}` : null,
      publicMetadata: rng.pick(METADATA),
      lastSignInAt: rng.chance(0.5) ? updatedAt - rng.int(0, 1_000) : null,
    });

  const events: Payload[] = [userCreatedEvent(version())];
  for (let edits = rng.int(0, 4); edits > 0; edits--) {
    updatedAt += rng.int(1, 5_000);
    events.push(userUpdatedEvent(version()));
  }
  if (rng.chance(0.3)) events.push(userDeletedEvent(id, updatedAt + rng.int(1, 5_000)));
  return events;
}

/** The same event for another user id. */
function forUser(payload: Payload, id: string): Payload {
  return { ...payload, data: { ...payload.data, id } } as Payload;
}

function sign(payload: Payload): SignedWebhook {
  return signWebhook(process.env.CLERK_WEBHOOK_SECRET!, payload);
}

function expectAcknowledged(answer: Answer) {
  expect(answer.status, `seed ${SEED}: ${JSON.stringify(answer.body)}`).toBe(200);
}

async function deliverInSequence(deliveries: SignedWebhook[]) {
  for (const delivery of deliveries) expectAcknowledged(await postToRoute(delivery));
}

async function deliverConcurrently(deliveries: SignedWebhook[]) {
  for (let start = 0; start < deliveries.length; start += CONCURRENCY) {
    const answers = await Promise.all(deliveries.slice(start, start + CONCURRENCY).map((delivery) => postToRoute(delivery)));
    answers.forEach(expectAcknowledged);
  }
}

/** A user document without what legitimately differs between twins: its id, its clerkId, when it was written. */
function comparable({ _id: _objectId, clerkId: _clerkId, createdAt: _createdAt, updatedAt: _updatedAt, ...rest }: StoredUser) {
  return rest;
}

async function documentsById(ids: string[]) {
  const found = await (await store()).users.find({ clerkId: { $in: ids } }).toArray();
  const byId = new Map<string, StoredUser[]>();
  for (const user of found) byId.set(user.clerkId, [...(byId.get(user.clerkId) ?? []), user]);
  return byId;
}

beforeAll(() => {
  // ~1,500 deliveries: keep their log lines out of the test output.
  vi.spyOn(console, 'log').mockImplementation(() => undefined);
});

afterAll(() => {
  vi.restoreAllMocks();
});

describe(`convergence (seed ${SEED})`, () => {
  it(`random histories of ${USERS} users, delivered shuffled with duplicates and concurrency, end exactly as in-order delivery`, async () => {
    const rng = random(SEED);
    for (let round = 0; round < USERS / USERS_PER_ROUND; round++) await deliverRoundAndCompare(rng, round);
  }, 180_000); // ~20 s on an idle 2-core machine; room for a busy one
});

async function deliverRoundAndCompare(rng: Rng, round: number) {
  const twins = Array.from({ length: USERS_PER_ROUND }, () => ({ ordered: clerkId('user'), shuffled: clerkId('user') }));
  const histories = twins.map(({ ordered }) => history(rng, ordered));

  // In order: each user's events one after another; users side by side.
  const inOrder = histories.map((events) => events.map(sign));
  for (let start = 0; start < inOrder.length; start += CONCURRENCY) {
    await Promise.all(inOrder.slice(start, start + CONCURRENCY).map((events) => deliverInSequence(events)));
  }

  // Shuffled: every event for the twin, plus redeliveries (same svix-id) and re-sent copies (new svix-id).
  const shuffled: SignedWebhook[] = [];
  histories.forEach((events, index) => {
    for (const payload of events) {
      const delivery = sign(forUser(payload, twins[index]!.shuffled));
      shuffled.push(delivery);
      if (rng.chance(0.25)) shuffled.push(delivery);
      if (rng.chance(0.1)) shuffled.push(sign(forUser(payload, twins[index]!.shuffled)));
    }
  });
  await deliverConcurrently(rng.shuffle(shuffled));

  const ordered = await documentsById(twins.map(({ ordered }) => ordered));
  const outOfOrder = await documentsById(twins.map(({ shuffled }) => shuffled));
  twins.forEach(({ ordered: orderedId, shuffled: shuffledId }, index) => {
    const events = histories[index]!;
    const context = `seed ${SEED}, round ${round}, user #${index} (${events.map((event) => event.type).join(' → ')})`;
    expect(ordered.get(orderedId), context).toHaveLength(1);
    expect(outOfOrder.get(shuffledId), context).toHaveLength(1);
    const [inOrderDocument] = ordered.get(orderedId)!;
    const [shuffledDocument] = outOfOrder.get(shuffledId)!;
    expect(comparable(shuffledDocument!), context).toEqual(comparable(inOrderDocument!));

    // And in-order delivery itself is right: the last event's version is the one stored.
    const last = events.at(-1)!;
    const deleted = last.type === 'user.deleted';
    expect(inOrderDocument, context).toMatchObject({
      version: deleted ? last.timestamp : last.data.updated_at,
      deletedAt: deleted ? new Date(last.timestamp) : null,
    });
  });
}
