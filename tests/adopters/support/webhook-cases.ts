/**
 * The webhook cases every adopter must pass, against its own running server
 * and database, wherever its receiver is mounted: a bad signature writes
 * nothing; a svix-id is applied once; an older update after a newer one is
 * stale; a deletion leaves a PII-free tombstone and the adopter's own hook
 * deletes the adopter's own records.
 */
import { clerkUser, postWebhook, signWebhook, userCreatedEvent, userDeletedEvent, userUpdatedEvent } from 'clerk-mongo-sync/testing';
import type { Db } from 'mongodb';
import { expect, it } from 'vitest';

export type Adopter = {
  /** The receiver's URL. */
  endpoint: string;
  /** The adopter's database, read with a client of the test's own. */
  db: Db;
  /** Adds one of the adopter's own records for a user, as the adopter's app does (its `onUserDeleted` removes them). */
  addRecord(clerkId: string): Promise<void>;
  /** How many of the adopter's own records a user has. */
  recordsOf(clerkId: string): Promise<number>;
};

async function answer(response: Response) {
  return { status: response.status, body: (await response.json()) as { outcome: string; message: string } };
}

export function webhookCases(adopter: () => Adopter): void {
  const secret = () => process.env.CLERK_WEBHOOK_SECRET!;
  const send = async (payload: unknown) => answer(await postWebhook(adopter().endpoint, signWebhook(secret(), payload)));
  const users = () => adopter().db.collection('users');

  it('a bad signature is refused with 400 and writes nothing, not even a ledger entry', async () => {
    const user = clerkUser();
    const forged = signWebhook(`whsec_${Buffer.alloc(32, 1).toString('base64')}`, userCreatedEvent(user));
    expect(await answer(await postWebhook(adopter().endpoint, forged))).toMatchObject({ status: 400, body: { outcome: 'bad_signature' } });
    expect(await users().countDocuments({ clerkId: user.id })).toBe(0);
    expect(
      await adopter()
        .db.collection('webhook_deliveries')
        .countDocuments({ _id: forged.svixId as never }),
    ).toBe(0);
  });

  it('one svix-id is applied once: its redelivery is a 200 "duplicate" that changes nothing', async () => {
    const user = clerkUser({ firstName: 'Once' });
    const delivery = signWebhook(secret(), userCreatedEvent(user));
    expect(await answer(await postWebhook(adopter().endpoint, delivery))).toEqual({
      status: 200,
      body: { outcome: 'applied', message: 'applied' },
    });
    const stored = await users().findOne({ clerkId: user.id });
    expect(await answer(await postWebhook(adopter().endpoint, delivery))).toMatchObject({ status: 200, body: { outcome: 'duplicate' } });
    expect(await users().find({ clerkId: user.id }).toArray()).toEqual([stored]);
    expect(
      await adopter()
        .db.collection('webhook_deliveries')
        .findOne({ _id: delivery.svixId as never }),
    ).toMatchObject({ attempts: 2 });
  });

  it('an older update arriving after a newer one is "stale": the newer profile stays', async () => {
    const user = clerkUser({ firstName: 'Old' });
    await send(userCreatedEvent(user));
    expect(await send(userUpdatedEvent({ ...user, first_name: 'Newest', updated_at: user.updated_at + 2_000 }))).toMatchObject({
      status: 200,
      body: { outcome: 'applied' },
    });
    expect(await send(userUpdatedEvent({ ...user, first_name: 'Older', updated_at: user.updated_at + 1_000 }))).toMatchObject({
      status: 200,
      body: { outcome: 'stale' },
    });
    expect(await users().findOne({ clerkId: user.id })).toMatchObject({ firstName: 'Newest', version: user.updated_at + 2_000 });
  });

  it('user.deleted leaves a PII-free tombstone, and the adopter’s onUserDeleted deletes the adopter’s own records', async () => {
    const [doomed, bystander] = [clerkUser({ email: 'doomed@example.com' }), clerkUser()];
    await send(userCreatedEvent(doomed));
    await send(userCreatedEvent(bystander));
    await adopter().addRecord(doomed.id);
    await adopter().addRecord(doomed.id);
    await adopter().addRecord(bystander.id);
    expect(await adopter().recordsOf(doomed.id)).toBe(2);

    const deletedAt = doomed.updated_at + 1_000;
    expect(await send(userDeletedEvent(doomed.id, deletedAt))).toMatchObject({ status: 200, body: { outcome: 'applied' } });
    const tombstone = await users().findOne({ clerkId: doomed.id });
    expect(tombstone).toMatchObject({ deletedAt: new Date(deletedAt), email: null, emails: [], firstName: null, publicMetadata: {} });
    expect(JSON.stringify(tombstone)).not.toContain('doomed@example.com');
    expect(await adopter().recordsOf(doomed.id)).toBe(0);
    expect(await adopter().recordsOf(bystander.id)).toBe(1);
    // Deletes are final: a late update brings nothing back.
    expect(await send(userUpdatedEvent({ ...doomed, updated_at: deletedAt + 1_000 }))).toMatchObject({ body: { outcome: 'stale' } });
    expect(await users().findOne({ clerkId: doomed.id })).toMatchObject({ deletedAt: new Date(deletedAt), firstName: null });
  });
}
