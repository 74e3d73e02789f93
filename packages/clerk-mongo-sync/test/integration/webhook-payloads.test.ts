/**
 * Correctly signed deliveries whose bodies are wrong, hostile or huge: each
 * gets its status and a short reason, and nothing is written that should not be.
 */
import { describe, expect, it } from 'vitest';
import { clerkSync } from '../support/engine.js';
import { MAX_BODY_BYTES } from '../../src/webhooks/receive.js';
import { clerkUser, userCreatedEvent, userUpdatedEvent } from '../../src/testing/payloads.js';
import { nestedMetadata } from '../support/payloads.js';
import { signWebhook } from '../../src/testing/svix.js';
import { ledgerEntry, storedUser, usersWithId } from '../support/sync-state.js';
import { deliver, postToRoute } from '../support/webhook.js';

const secret = () => process.env.CLERK_WEBHOOK_SECRET!;

/** Signs `body` exactly as given (not re-serialised), as Svix would sign whatever Clerk sent. */
function signedRaw(body: string) {
  return signWebhook(secret(), null, { body });
}

describe('bodies that are not a Clerk event', () => {
  it('malformed JSON is 400 "malformed" and is not recorded', async () => {
    const delivery = signedRaw('{"type":"user.created","data":{');
    expect(await postToRoute(delivery)).toMatchObject({ status: 400, body: { outcome: 'malformed', message: 'body is not valid JSON' } });
    expect(await ledgerEntry(delivery.svixId)).toBeNull();
  });

  it('an empty body is 400 "malformed"', async () => {
    expect(await postToRoute(signedRaw(''))).toMatchObject({ status: 400, body: { outcome: 'malformed' } });
  });

  for (const body of ['null', '[]', JSON.stringify([userCreatedEvent(clerkUser())]), '"user.created"']) {
    it(`valid JSON that is not an event object (${body.slice(0, 12)}) is 422 with a short reason`, async () => {
      expect(await postToRoute(signedRaw(body))).toMatchObject({
        status: 422,
        body: { outcome: 'schema_violation', message: 'payload must be a JSON object with a string "type"' },
      });
    });
  }
});

describe('schema violations are 422, write no user, and are recorded', () => {
  const cases: Array<[string, (data: Record<string, unknown>) => void, RegExp]> = [
    ['id missing', (data) => delete data.id, /^data\.id: /],
    ['email_addresses not an array', (data) => (data.email_addresses = 'ada@example.com'), /^data\.email_addresses: .*expected array/],
    ['data.id an object (an operator, if it were used as one)', (data) => (data.id = { $ne: null }), /^data\.id: .*expected string/],
    ['data.id not a Clerk user id', (data) => (data.id = 'org_2notAUser'), /^data\.id: not a Clerk user id$/],
    [
      'metadata nested past what MongoDB stores',
      (data) => (data.public_metadata = nestedMetadata(100)),
      /^data\.public_metadata: nested deeper than the 99 levels/,
    ],
    [
      "metadata over Clerk's 8 KB",
      (data) => (data.public_metadata = { note: 'x'.repeat(8 * 1024) }),
      /^data\.public_metadata: larger than Clerk's 8 KB/,
    ],
  ];

  for (const [name, corrupt, reason] of cases) {
    it(name, async () => {
      const bystander = clerkUser({ firstName: 'Bystander' });
      await deliver(userCreatedEvent(bystander));
      const before = await storedUser(bystander.id);

      const user = clerkUser({ firstName: 'Mallory', email: 'mallory@example.com' });
      const payload = userUpdatedEvent({ ...user });
      corrupt(payload.data as unknown as Record<string, unknown>);
      const delivery = signWebhook(secret(), payload);
      const answer = await postToRoute(delivery);

      expect(answer).toMatchObject({ status: 422, body: { outcome: 'schema_violation', message: expect.stringMatching(reason) } });
      expect(answer.body.message).not.toMatch(/mallory/i);
      expect(await usersWithId(user.id)).toEqual([]);
      expect(await storedUser(bystander.id)).toEqual(before);
      expect(await ledgerEntry(delivery.svixId)).toMatchObject({ outcome: 'schema_violation', status: 422, type: 'user.updated' });
    });
  }
});

describe('payload data is data, never an operator or a path', () => {
  it('stores metadata nested as deep as the schema admits, and reads it back whole', async () => {
    const user = clerkUser({ publicMetadata: nestedMetadata(99) });
    expect((await deliver(userCreatedEvent(user))).body.outcome).toBe('applied');
    expect((await clerkSync.users.find(user.id))?.publicMetadata).toEqual(nestedMetadata(99));
  });

  it('stores $-prefixed and dotted metadata keys and $-strings in names literally, and reads them back as sent', async () => {
    const publicMetadata = {
      $set: { role: 'admin' },
      'plan.tier': 'gold',
      nested: { $inc: { credits: 1000 }, 'a.b.c': ['$where', { $ne: null }] },
      '%24already': 'looks encoded',
      'nul\u0000key': 1,
      role: 'member',
    };
    const user = clerkUser({ firstName: '$set', lastName: '{"$gt":""}', username: '$where', publicMetadata });
    expect((await deliver(userCreatedEvent(user))).body.outcome).toBe('applied');

    expect(await clerkSync.users.find(user.id)).toMatchObject({
      firstName: '$set',
      lastName: '{"$gt":""}',
      username: '$where',
      publicMetadata,
    });
    // Nothing was interpreted: no top-level "role" from $set, no credits from $inc, no "plan" object from the dotted key.
    const raw = await storedUser(user.id);
    expect(raw).not.toHaveProperty('role');
    expect(raw).not.toHaveProperty('credits');
    expect(raw?.publicMetadata).toEqual({
      '%24set': { role: 'admin' },
      'plan%2Etier': 'gold',
      nested: { '%24inc': { credits: 1000 }, 'a%2Eb%2Ec': ['$where', { '%24ne': null }] },
      '%2524already': 'looks encoded',
      'nul%00key': 1,
      role: 'member',
    });
  });

  it('updates such a user again with different hostile metadata, replacing it whole', async () => {
    const user = clerkUser({ publicMetadata: { 'a.b': 1, $unset: { email: '' } } });
    await deliver(userCreatedEvent(user));
    const updated = { ...user, public_metadata: { $rename: { email: 'x' }, 'c.d': 2 }, updated_at: user.updated_at + 1_000 };
    expect((await deliver(userUpdatedEvent(updated))).body.outcome).toBe('applied');
    expect(await clerkSync.users.find(user.id)).toMatchObject({
      email: user.email_addresses[0]!.email_address,
      publicMetadata: updated.public_metadata,
    });
  });
});

describe('body size limit (1 MiB)', () => {
  /** A correctly signed user.created padded to exactly `bytes` bytes of JSON. */
  function signedOfSize(bytes: number) {
    const user = clerkUser();
    const skeleton = JSON.stringify(userCreatedEvent({ ...user, unsafe_metadata: { padding: '' } }));
    const padded = userCreatedEvent({ ...user, unsafe_metadata: { padding: 'x'.repeat(bytes - Buffer.byteLength(skeleton)) } });
    const delivery = signWebhook(secret(), padded);
    expect(Buffer.byteLength(delivery.body)).toBe(bytes);
    return { user, delivery };
  }

  it('refuses a body over 1 MiB with 413 and writes nothing (declared Content-Length)', async () => {
    const { user, delivery } = signedOfSize(MAX_BODY_BYTES + 1);
    const answer = await postToRoute({
      body: delivery.body,
      headers: { ...delivery.headers, 'content-length': String(MAX_BODY_BYTES + 1) },
    });
    expect(answer).toMatchObject({ status: 413, body: { outcome: 'too_large' } });
    expect(await usersWithId(user.id)).toEqual([]);
    expect(await ledgerEntry(delivery.svixId)).toBeNull();
  });

  it('refuses a streamed body over 1 MiB with 413 without reading it all (no Content-Length)', async () => {
    const { user, delivery } = signedOfSize(8 * MAX_BODY_BYTES);
    const bytes = new TextEncoder().encode(delivery.body);
    let pulled = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (pulled >= bytes.length) return controller.close();
        controller.enqueue(bytes.slice(pulled, pulled + 64 * 1024));
        pulled += 64 * 1024;
      },
    });
    const request = new Request('http://localhost/api/webhooks/clerk', {
      method: 'POST',
      headers: delivery.headers,
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(request.headers.get('content-length')).toBeNull();
    const response = await clerkSync.handleWebhook(request);
    expect(response.status).toBe(413);
    expect(pulled).toBeLessThanOrEqual(MAX_BODY_BYTES + 2 * 64 * 1024);
    expect(await usersWithId(user.id)).toEqual([]);
  });

  it('accepts a body of exactly 1 MiB', async () => {
    const { user, delivery } = signedOfSize(MAX_BODY_BYTES);
    expect((await postToRoute(delivery)).body.outcome).toBe('applied');
    expect(await usersWithId(user.id)).toHaveLength(1);
  });
});
