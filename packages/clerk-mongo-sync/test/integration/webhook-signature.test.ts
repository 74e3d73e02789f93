/**
 * Signature checks through the real route: every forgery is a 400 that writes
 * nothing (no user, no ledger entry); rotation and the tolerance window behave
 * as Svix documents them.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { clerkUser, userCreatedEvent } from '../../src/testing/payloads.js';
import { newWebhookSecret, signWebhook, type SignedWebhook } from '../../src/testing/svix.js';
import { ledgerEntry, usersWithId } from '../support/sync-state.js';
import { postToRoute } from '../support/webhook.js';

const secret = () => process.env.CLERK_WEBHOOK_SECRET!;

function newUserDelivery(options: Parameters<typeof signWebhook>[2] = {}) {
  const user = clerkUser();
  return { user, delivery: signWebhook(secret(), userCreatedEvent(user), options) };
}

async function expectRejectedAndNothingWritten(delivery: Pick<SignedWebhook, 'body' | 'headers'>, userId: string, svixId: string) {
  const answer = await postToRoute(delivery);
  expect(answer.status).toBe(400);
  expect(answer.body.outcome).toBe('bad_signature');
  expect(await usersWithId(userId)).toEqual([]);
  expect(await ledgerEntry(svixId)).toBeNull();
  return answer;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('bad signatures are 400 and write nothing', () => {
  for (const header of ['svix-id', 'svix-timestamp', 'svix-signature'] as const) {
    it(`missing ${header} header`, async () => {
      const { user, delivery } = newUserDelivery();
      const headers = { ...delivery.headers };
      delete headers[header];
      const answer = await expectRejectedAndNothingWritten({ body: delivery.body, headers }, user.id, delivery.svixId);
      expect(answer.body.message).toBe('missing svix-id, svix-timestamp or svix-signature header');
    });
  }

  it('one byte of the body tampered with', async () => {
    const { user, delivery } = newUserDelivery();
    const tampered = delivery.body.replace('"Ada"', '"Eve"');
    expect(tampered).not.toBe(delivery.body);
    await expectRejectedAndNothingWritten({ body: tampered, headers: delivery.headers }, user.id, delivery.svixId);
  });

  it('the body re-serialised (same JSON, different bytes)', async () => {
    const { user, delivery } = newUserDelivery();
    const reserialised = JSON.stringify(JSON.parse(delivery.body), null, 1);
    await expectRejectedAndNothingWritten({ body: reserialised, headers: delivery.headers }, user.id, delivery.svixId);
  });

  it('signed with the wrong secret', async () => {
    const user = clerkUser();
    const delivery = signWebhook(newWebhookSecret(), userCreatedEvent(user));
    const answer = await expectRejectedAndNothingWritten(delivery, user.id, delivery.svixId);
    expect(answer.body.message).toBe('no matching signature found');
  });

  it('only a v2 signature', async () => {
    const { user, delivery } = newUserDelivery();
    const headers = { ...delivery.headers, 'svix-signature': delivery.headers['svix-signature']!.replace(/^v1,/, 'v2,') };
    await expectRejectedAndNothingWritten({ body: delivery.body, headers }, user.id, delivery.svixId);
  });
});

describe('secret rotation', () => {
  it('accepts "v1,a v1,b" when one of the two signatures matches the configured secret', async () => {
    const { user, delivery } = newUserDelivery();
    const retired = signWebhook(newWebhookSecret(), null, {
      svixId: delivery.svixId,
      body: delivery.body,
      timestamp: new Date(Number(delivery.headers['svix-timestamp']) * 1000),
    });
    const headers = { ...delivery.headers, 'svix-signature': `${retired.headers['svix-signature']} ${delivery.headers['svix-signature']}` };
    expect(headers['svix-signature']).toMatch(/^v1,\S+ v1,\S+$/);
    expect((await postToRoute({ body: delivery.body, headers })).body.outcome).toBe('applied');
    expect(await usersWithId(user.id)).toHaveLength(1);
  });
});

describe('timestamp tolerance (5 minutes)', () => {
  it('accepts a delivery signed 299 s ago, rejects 301 s ago and 301 s ahead', async () => {
    // Date frozen: a second boundary passing mid-test must not turn +301 s into +300 s.
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    const at = (seconds: number) => newUserDelivery({ timestamp: new Date(Date.now() + seconds * 1000) });

    const recent = at(-299);
    expect((await postToRoute(recent.delivery)).status).toBe(200);
    expect(await usersWithId(recent.user.id)).toHaveLength(1);

    const old = at(-301);
    expect((await expectRejectedAndNothingWritten(old.delivery, old.user.id, old.delivery.svixId)).body.message).toBe(
      'message timestamp too old',
    );
    const future = at(301);
    expect((await expectRejectedAndNothingWritten(future.delivery, future.user.id, future.delivery.svixId)).body.message).toBe(
      'message timestamp too new',
    );
  });
});
